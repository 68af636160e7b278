package listener

import "golang.org/x/sys/unix"

// steer makes the kernel send each new connection to one of the sockets of
// slots [0, n) and records n: in turn when the round-robin program is
// attached (roundrobin.go), else picked at random by a classic BPF program.
// The group's sockets are indexed by the kernel in the order they started
// listening, a removed one leaving its place to the last; since slots are
// only ever added and removed at the top, the kernel's index of a socket is
// its slot.
//
// The round-robin program is tried once, by the first steer (ListenGroup's,
// before the privilege drop); later calls only store n in its map.
func (g *Group) steer(n int) {
	g.live = n
	if g.rr == nil && !g.rrTried {
		g.rrTried = true
		g.rr, g.RoundRobinErr = attachRoundRobin(g.socks[0].fd, n)
	}
	if g.rr != nil {
		g.rr.set(n)
		g.SteerErr = nil
		return
	}
	prog := steerProgram(n)
	err := unix.SetsockoptSockFprog(g.socks[0].fd, unix.SOL_SOCKET, unix.SO_ATTACH_REUSEPORT_CBPF,
		&unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]})
	if err != nil {
		g.SteerErr = err
		return
	}
	g.SteerErr = nil
}

// attachRoundRobin is newRoundRobin; tests replace it to take the random
// pick's path as a container without CAP_BPF does.
var attachRoundRobin = newRoundRobin

// RoundRobin reports whether new connections go to the open slots in turn
// (else at random, or by the kernel's hash when SteerErr is set).
func (g *Group) RoundRobin() bool { return g.rr != nil }

// steerProgram is a classic BPF program for SO_ATTACH_REUSEPORT_CBPF that
// returns a random socket index below n: A = random(); A %= n; return A.
func steerProgram(n int) []unix.SockFilter {
	return []unix.SockFilter{
		{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: skfAdRandomK},
		{Code: unix.BPF_ALU | unix.BPF_MOD | unix.BPF_K, K: uint32(n)},
		{Code: unix.BPF_RET | unix.BPF_A},
	}
}

// The ancillary load of a random number in classic BPF (linux/filter.h).
// SKF_AD_OFF (-0x1000) + SKF_AD_RANDOM (56), as the uint32 the kernel reads.
const skfAdRandomK = uint32(0x100000000 - 0x1000 + 56)
