package listener

import "golang.org/x/sys/unix"

// steer makes the kernel send each new connection to one of the sockets of
// slots [0, n) whose slot serves (SetServing), or of all of them while none
// does, and records n: in turn when the round-robin program is attached
// (roundrobin.go), else picked at random by a classic BPF program. The
// group's sockets are indexed by the kernel in the order they started
// listening, a removed one leaving its place to the last; since slots are
// only ever added and removed at the top, the kernel's index of a socket is
// its slot.
//
// The round-robin program is tried once, by the first steer (ListenGroup's,
// before the privilege drop); later calls only rewrite its map.
func (g *Group) steer(n int) {
	g.live = n
	slots := g.steered()
	if g.rr == nil && g.RoundRobinErr == nil { // not tried yet
		g.rr, g.RoundRobinErr = attachRoundRobin(g.socks[0].fd, len(g.socks), slots)
	}
	if g.rr != nil {
		g.rr.set(slots)
		g.SteerErr = nil
		return
	}
	prog := steerProgram(slots)
	err := unix.SetsockoptSockFprog(g.socks[0].fd, unix.SOL_SOCKET, unix.SO_ATTACH_REUSEPORT_CBPF,
		&unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]})
	if err != nil {
		g.SteerErr = err
		return
	}
	g.SteerErr = nil
}

// steered is the slots new connections go to: the open ones that serve, or
// every open one while none serves (a connection then waits in a queue
// rather than find no socket).
func (g *Group) steered() []int {
	var slots []int
	for s := range g.live {
		if !g.down[s] {
			slots = append(slots, s)
		}
	}
	if len(slots) == 0 {
		for s := range g.live {
			slots = append(slots, s)
		}
	}
	return slots
}

// attachRoundRobin is newRoundRobin; tests replace it to take the random
// pick's path as a container without CAP_BPF does.
var attachRoundRobin = newRoundRobin

// RoundRobin reports whether new connections go to the open slots in turn
// (else at random, or by the kernel's hash when SteerErr is set).
func (g *Group) RoundRobin() bool { return g.rr != nil }

// steerProgram is a classic BPF program for SO_ATTACH_REUSEPORT_CBPF that
// returns one of slots at random: A = random() % len(slots), then a jump
// table from A to the slot. With slots 0 to n-1, A itself:
// A = random(); A %= n; return A.
func steerProgram(slots []int) []unix.SockFilter {
	prog := []unix.SockFilter{
		{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: skfAdRandomK},
		{Code: unix.BPF_ALU | unix.BPF_MOD | unix.BPF_K, K: uint32(len(slots))},
	}
	prefix := true
	for i, s := range slots {
		prefix = prefix && s == i
	}
	if prefix {
		return append(prog, unix.SockFilter{Code: unix.BPF_RET | unix.BPF_A})
	}
	for i, s := range slots { // if A == i: return slots[i]
		prog = append(prog,
			unix.SockFilter{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, Jt: 0, Jf: 1, K: uint32(i)},
			unix.SockFilter{Code: unix.BPF_RET | unix.BPF_K, K: uint32(s)})
	}
	return append(prog, unix.SockFilter{Code: unix.BPF_RET | unix.BPF_K, K: ^uint32(0)}) // unreachable
}

// The ancillary load of a random number in classic BPF (linux/filter.h).
// SKF_AD_OFF (-0x1000) + SKF_AD_RANDOM (56), as the uint32 the kernel reads.
const skfAdRandomK = uint32(0x100000000 - 0x1000 + 56)
