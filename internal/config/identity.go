package config

// The options of the privilege drop.
const (
	keyUser  = "user"  // -u
	keyGroup = "group" // -g: refused without -u
)

// checkIdentity refuses -g without -u: spark2 drops to a user and its group
// together, so that nothing keeps root; a group alone would leave uid 0 and
// every capability.
func checkIdentity(t *table, o *options, won map[string]source) error {
	if o.Group != "" && o.User == "" {
		return usageErrorf("%s without -u/--user: spark2 would keep uid 0 and every capability; add -u (a numeric uid works without /etc/passwd), or drop -g",
			named(t, keyGroup, won[keyGroup]))
	}
	return nil
}
