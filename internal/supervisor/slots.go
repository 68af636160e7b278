package supervisor

// SlotHooks tell the app of slots coming and going, for what it keeps per
// slot (--balance reuseport: a socket). They run on the supervisor's loop
// and must not block. A nil hook is not called.
type SlotHooks struct {
	// Add is called before slot gets its first worker, at start-up and on
	// TTIN; an error refuses the slot: it is logged and the number of
	// workers stays as it was.
	Add func(slot int) error
	// Remove is called when TTOU removes slot, before its workers are told
	// to stop.
	Remove func(slot int)
	// Vacate is called once every worker of a removed slot has ended, unless
	// a TTIN has added the slot again meanwhile.
	Vacate func(slot int)
}

// openSlot calls the Add hook for the next slot.
func (s *Supervisor) openSlot() error {
	if s.opt.Slots.Add == nil {
		return nil
	}
	return s.opt.Slots.Add(len(s.slots))
}

// removed calls the Remove hook for sl, and Vacate at once if it has no
// worker left.
func (s *Supervisor) removed(sl *slot) {
	if s.opt.Slots.Remove != nil {
		s.opt.Slots.Remove(sl.id)
	}
	s.vacated(sl.id)
}

// vacated calls the Vacate hook if slot is removed and no worker of it is
// left.
func (s *Supervisor) vacated(slot int) {
	if s.opt.Slots.Vacate == nil || slot < len(s.slots) {
		return
	}
	for _, w := range s.workers {
		if w.slot == slot {
			return
		}
	}
	s.opt.Slots.Vacate(slot)
}
