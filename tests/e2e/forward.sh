#!/bin/sh
# SPDX-License-Identifier: ISC
# Port forwarding with Debian's OpenSSH client (as root, with a throw-away
# account), against a local echo server and a local web server on
# 127.0.0.1: ssh -L (TCP and Unix sockets), ssh -D with curl through
# SOCKS, ssh -R on a fixed port, on port 0 (the allocated port) and on a
# Unix socket (removed afterwards), -O forward / -O cancel through a
# ControlMaster; AllowTcpForwarding no, PermitOpen and DisableForwarding
# each refuse (logged, the connection goes on); ChannelTimeout closes an
# idle forwarded connection; UnusedConnectionTimeout ends a connection
# without channels.  Every wait is bounded.
. "$top_srcdir/tests/e2e/lib.sh"

test_user hsfw

# An echo server on a TCP port and a Unix socket the user may use.
cat > "$T_DIR/echo.py" <<'EOF'
import os, socket, sys, threading
def serve(c):
    try:
        while True:
            d = c.recv(65536)
            if not d:
                break
            c.sendall(d)
        c.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    c.close()
def loop(s):
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()
t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind(("127.0.0.1", int(sys.argv[1]))); t.listen(16)
u = socket.socket(socket.AF_UNIX); u.bind(sys.argv[2]); u.listen(16)
os.chmod(sys.argv[2], 0o666)
threading.Thread(target=loop, args=(u,), daemon=True).start()
loop(t)
EOF
# client.py tcp PORT|unix PATH MESSAGE: prints what comes back (empty if
# refused); client.py idle ...: echo once, then "EOF" if the connection
# is closed within 20 s, "TIMEOUT" if not.
cat > "$T_DIR/client.py" <<'EOF'
import socket, sys
kind, where, msg = sys.argv[1], sys.argv[2], sys.argv[3]
idle = msg == "idle"
try:
    if kind == "unix":
        s = socket.socket(socket.AF_UNIX); s.settimeout(30); s.connect(where)
    else:
        s = socket.create_connection(("127.0.0.1", int(where)), timeout=30)
    s.sendall(b"ping" if idle else msg.encode())
    if idle:
        got = s.recv(4)
        s.settimeout(20)
        try:
            print("EOF" if got == b"ping" and s.recv(1) == b"" else "DATA")
        except socket.timeout:
            print("TIMEOUT")
        sys.exit(0)
    s.shutdown(socket.SHUT_WR)
    out = b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        out += d
    print(out.decode(), end="")
except OSError:
    pass
EOF
E=$(free_port)
"$PYTHON" "$T_DIR/echo.py" "$E" "$T_DIR/echo.sock" &
T_PIDS="$T_PIDS $!"
mkdir -p "$T_DIR/www" && head -c 20000 /dev/urandom | base64 > "$T_DIR/www/page.txt"
W=$(free_port)
(cd "$T_DIR/www" && exec "$PYTHON" -m http.server --bind 127.0.0.1 "$W" >/dev/null 2>&1) &
T_PIDS="$T_PIDS $!"
port_open() { "$PYTHON" -c "import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=2)" "$1" 2>/dev/null; }
port_closed() { ! port_open "$1"; }
wait_for "port_open $E && port_open $W && [ -S '$T_DIR/echo.sock' ]" 300 || diag "test servers did not start"
client() { "$PYTHON" "$T_DIR/client.py" "$@"; }

test_hostkey
S="$(ssh_opts) -o IdentitiesOnly=yes -i $T_DIR/uk -o ExitOnForwardFailure=yes"
# bg_ssh ARGS...: ssh in the background as the user; its PID in SP, its
# stderr in $T_DIR/ssh.err.
bg_ssh() {
	# shellcheck disable=SC2086
	ssh $S "$@" "$U@127.0.0.1" 2>"$T_DIR/ssh.err" &
	SP=$!
	T_PIDS="$T_PIDS $SP"
}
stop_ssh() {
	kill "$SP" 2>/dev/null
	wait "$SP" 2>/dev/null
	t_forget "$SP"
}
server() {
	stop_hsshd
	write_config "$T_DIR/cfg" "HostKey $T_DIR/hk" "$@"
	start_hsshd "$T_DIR/cfg" || { not_ok "server starts"; done_testing; exit 1; }
}

server "StreamLocalBindUnlink yes"
# ssh -L, TCP to TCP.
L=$(free_port)
bg_ssh -N -L "$L:127.0.0.1:$E"
wait_for "port_open $L" 300
check "ssh -L: data through a local forward comes back" [ "$(client tcp "$L" hello-L)" = hello-L ]
big=$(head -c 90000 /dev/urandom | base64 -w0)
check "ssh -L: 120 KB through and back intact" [ "$(client tcp "$L" "$big")" = "$big" ]
stop_ssh
# ssh -D and curl through SOCKS (host names resolved by the server).
D=$(free_port)
bg_ssh -N -D "$D"
wait_for "port_open $D" 300
curl -s --max-time 20 --socks5-hostname "127.0.0.1:$D" "http://localhost:$W/page.txt" > "$T_DIR/got.txt"
check "ssh -D: curl --socks5-hostname fetches a page" cmp -s "$T_DIR/got.txt" "$T_DIR/www/page.txt"
stop_ssh
# ssh -R, a fixed port.
R=$(free_port)
bg_ssh -N -R "$R:127.0.0.1:$E"
wait_for "port_open $R" 300
check "ssh -R: a connection to the server's port reaches the client's side" [ "$(client tcp "$R" hello-R)" = hello-R ]
# The client's echo comes back with its EOF and CLOSE in one go: the
# data must still reach the connection (it once was dropped, often).
lost=0; i=0
while [ $i -lt 20 ]; do
	port_open "$R"
	[ "$(client tcp "$R" "again-$i")" = "again-$i" ] || lost=$((lost + 1))
	i=$((i + 1))
done
check "... 20 more round trips, none lost ($lost lost)" [ $lost -eq 0 ]
stop_ssh
wait_for "! port_open $R" 300
check "... the port is closed when the client leaves" port_closed "$R"
# ssh -R 0: the allocated port from ssh's message.
bg_ssh -N -R "0:127.0.0.1:$E"
wait_for "grep -q 'Allocated port' '$T_DIR/ssh.err'" 300
A=$(sed -n 's/.*Allocated port \([0-9]*\) .*/\1/p' "$T_DIR/ssh.err" | head -n 1)
check "ssh -R 0: the client is told the allocated port ($A)" [ -n "$A" ]
check "... and a connection to it goes through" [ "$(client tcp "${A:-1}" hello-R0)" = hello-R0 ]
stop_ssh
# Unix sockets both ways.
bg_ssh -N -L "$T_DIR/l.sock:$T_DIR/echo.sock"
wait_for "[ -S '$T_DIR/l.sock' ]" 300
check "ssh -L local socket to remote socket (direct-streamlocal)" [ "$(client unix "$T_DIR/l.sock" hello-LU)" = hello-LU ]
stop_ssh
bg_ssh -N -R "$H/r.sock:127.0.0.1:$E"
wait_for "[ -S '$H/r.sock' ]" 300
check "ssh -R remote socket: the socket is the user's, mode 0600" [ "$(stat -c '%U %a' "$H/r.sock" 2>/dev/null)" = "$U 600" ]
check "... a connection to it reaches the client's side" [ "$(client unix "$H/r.sock" hello-RU)" = hello-RU ]
stop_ssh
check "... the socket file is removed when the client leaves" wait_for "[ ! -e '$H/r.sock' ]" 300
# ControlMaster: -O forward and -O cancel (remote forwards are server work).
CM="-o ControlPath=$T_DIR/cm -o ControlMaster=auto -o ControlPersist=30"
# shellcheck disable=SC2086
ssh $S $CM -fN "$U@127.0.0.1"
# shellcheck disable=SC2086
wait_for "ssh $S $CM -O check '$U@127.0.0.1' 2>/dev/null" 300
R2=$(free_port)
# shellcheck disable=SC2086
ssh $S $CM -O forward -R "$R2:127.0.0.1:$E" "$U@127.0.0.1" >/dev/null 2>&1
wait_for "port_open $R2" 300
check "-O forward -R through the master" [ "$(client tcp "$R2" hello-O)" = hello-O ]
# shellcheck disable=SC2086
ssh $S $CM -O cancel -R "$R2:127.0.0.1:$E" "$U@127.0.0.1" >/dev/null 2>&1
check "-O cancel -R: the server stops listening" wait_for "! port_open $R2" 300
L2=$(free_port)
# shellcheck disable=SC2086
ssh $S $CM -O forward -L "$L2:127.0.0.1:$E" "$U@127.0.0.1" >/dev/null 2>&1
wait_for "port_open $L2" 300
check "-O forward -L through the master" [ "$(client tcp "$L2" hello-OL)" = hello-OL ]
# shellcheck disable=SC2086
ssh $S $CM -O exit "$U@127.0.0.1" >/dev/null 2>&1

# Refusals: the channel is refused and logged; the connection goes on.
refused_L() {
	bg_ssh -L "$1:127.0.0.1:$E" -o "RemoteCommand=sleep 30"
	wait_for "port_open $1" 300
	out=$(client tcp "$1" nope)
	# shellcheck disable=SC2086
	alive=$(ssh $S "$U@127.0.0.1" echo alive 2>/dev/null)
	stop_ssh
	[ -z "$out" ] && [ "$alive" = alive ] && grep -q "$2" "$T_DIR/hsshd.log"
}
server "AllowTcpForwarding no"
L3=$(free_port)
check "AllowTcpForwarding no: ssh -L refused and logged" refused_L "$L3" "refused local port forward: originator"
# shellcheck disable=SC2086
ssh $S -N -R "$(free_port):127.0.0.1:$E" "$U@127.0.0.1" 2>/dev/null &
SP=$!; T_PIDS="$T_PIDS $SP"
check "AllowTcpForwarding no: ssh -R fails (ExitOnForwardFailure)" wait_for "! kill -0 $SP 2>/dev/null" 300
wait "$SP" 2>/dev/null; t_forget "$SP"
server "PermitOpen 127.0.0.1:1"
check "PermitOpen: other targets refused and logged" refused_L "$(free_port)" "but the request was denied"
server "DisableForwarding yes"
check "DisableForwarding yes: ssh -L refused" refused_L "$(free_port)" "refused local port forward"

# ChannelTimeout closes an idle forwarded connection; the session stays.
server "ChannelTimeout direct-tcpip=2s" "UnusedConnectionTimeout 2"
L4=$(free_port)
bg_ssh -L "$L4:127.0.0.1:$E" -o "RemoteCommand=sleep 60"
wait_for "port_open $L4" 300
check "ChannelTimeout direct-tcpip=2s closes an idle forwarded connection" [ "$(client tcp "$L4" idle)" = EOF ]
check "... logged" grep -q "without traffic (ChannelTimeout)" "$T_DIR/hsshd.log"
check "... the session channel is still there" kill -0 "$SP"
stop_ssh
# UnusedConnectionTimeout: ssh -N opens no channel; the server ends it.
bg_ssh -N
check "UnusedConnectionTimeout 2: a connection without channels ends" wait_for "! kill -0 $SP 2>/dev/null" 300
wait "$SP" 2>/dev/null; t_forget "$SP"
check "... logged" grep -q "unused connection timeout" "$T_DIR/hsshd.log"
stop_hsshd
done_testing
