package app

import (
	"os"
	"strings"

	"github.com/hashicorp/go-hclog"

	"github.com/spark2/spark2/internal/config"
	"github.com/spark2/spark2/internal/listener"
	"github.com/spark2/spark2/internal/supervisor"
)

// spareFactor is how many sockets --balance reuseport binds per worker
// before the privilege drop: TTIN can grow to that many times -n workers.
const spareFactor = 2

// bind binds the workers' port as --balance says and returns the bound
// port: shared, one socket that every worker gets as fd 3; reuseport, a
// listener.Group of spareFactor×N sockets of which the first N listen, and
// slot i's workers get socket i.
func (m *master) bind(c config.Config) (int, error) {
	if c.Balance != config.BalanceReuseport {
		ln, err := listener.Listen(c.Host, c.Port)
		if err != nil {
			return 0, err
		}
		m.ln = ln
		m.workers.spec.Files = []*os.File{ln.File}
		return ln.Port, nil
	}
	g, err := listener.ListenGroup(c.Host, c.Port, c.Workers, spareFactor*c.Workers)
	if err != nil {
		return 0, err
	}
	m.group, m.workers.group = g, g
	return g.Port, nil
}

// slotHooks keep the sockets of --balance reuseport in step with the slots:
// a new slot (TTIN) opens its socket; a slot removed by TTOU gets no new
// connections from then on while its worker finishes, and once that worker
// has ended its socket stops listening (a spare again, for a later TTIN).
// None without reuseport.
func (m *master) slotHooks(log hclog.Logger) supervisor.SlotHooks {
	g := m.group
	if g == nil {
		return supervisor.SlotHooks{}
	}
	switch {
	case g.SteerErr != nil:
		log.Warn("cannot steer new connections away from a slot that TTOU removes; they are reset when it closes unless net.ipv4.tcp_migrate_req is 1",
			"error", g.SteerErr)
	case g.RoundRobinErr != nil:
		log.Warn("new connections go to the workers' sockets at random, not in turn: that needs Linux 5.12 and CAP_BPF while spark2 binds (start as root with --cap-add BPF and drop with -u)",
			"error", g.RoundRobinErr)
	default:
		log.Debug("new connections go to the workers' sockets in turn")
	}
	return supervisor.SlotHooks{
		Add:    g.Open,
		Remove: g.Drain,
		Vacate: func(slot int) {
			queued, err := g.Retire(slot)
			if err != nil {
				log.Warn("cannot close the socket of a removed slot", "slot", slot, "error", err)
				return
			}
			switch {
			case queued == 0:
				log.Debug("closed the socket of a removed slot", "slot", slot)
			case migrateReq():
				log.Info("closed the socket of a removed slot; the kernel moved its queued connections to the others", "slot", slot, "queued", queued)
			default:
				log.Warn("closed the socket of a removed slot; its queued connections were reset (set net.ipv4.tcp_migrate_req=1 to have them moved)", "slot", slot, "queued", queued)
			}
		},
	}
}

// migrateReq reports whether net.ipv4.tcp_migrate_req is on in spark2's
// network namespace.
func migrateReq() bool {
	b, err := os.ReadFile("/proc/sys/net/ipv4/tcp_migrate_req")
	return err == nil && strings.TrimSpace(string(b)) == "1"
}

// serving tells --balance reuseport's sockets which slots serve, from the
// supervisor's snapshot (see slotServes). Nothing without reuseport. It runs
// on the supervisor's loop: SetServing changes a map or a BPF program, and
// only when a slot's state changed.
func (m *master) serving(snap supervisor.Snapshot) {
	if m.group == nil {
		return
	}
	for _, sl := range snap.Slots {
		m.group.SetServing(sl.ID, slotServes(sl))
	}
}

// slotServes says whether sl should get new connections: while its worker
// or that worker's replacement is ready; and while its worker starts, if the
// slot has not just seen a worker die (at start-up, after TTIN), so that the
// connections it queues are taken as soon as that worker accepts and the
// first keep-alive clients spread over every slot. A slot whose worker
// died (waiting out its back-off, or starting a worker that may crash
// again), or whose worker is being stopped without a ready replacement (a
// hang), gets none while another slot serves.
func slotServes(sl supervisor.SlotState) bool {
	w := sl.Worker
	if sl.Replacement.Ready {
		return true
	}
	return w.Pid != 0 && !w.Stopping && (w.Ready || sl.DeathsInARow == 0)
}
