package procfs

// All returns the stat of every process visible in Root. Processes that vanish
// while it reads are left out; only a failure to list Root is an error.
func All() ([]Stat, error) {
	var r Reader
	return r.walk(nil)
}

// Descendants returns every process below pid in the parent tree of procs
// (children, their children, ...), pid itself excluded, parents before children.
func Descendants(procs []Stat, pid int) []Stat {
	kids := make(map[int][]Stat, len(procs))
	for _, st := range procs {
		kids[st.PPid] = append(kids[st.PPid], st)
	}
	var out []Stat
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, k := range kids[p] {
			if k.Pid == pid { // a loop cannot happen in the kernel's tree; be safe anyway
				continue
			}
			out = append(out, k)
			queue = append(queue, k.Pid)
		}
	}
	return out
}
