package config

import (
	"net/netip"
	"strconv"
	"strings"
)

// portValue is -p/--port: a TCP port from 0 to 65535, in decimal without a
// sign; 0 asks the kernel for any free port.
type portValue uint16

func (*portValue) numeric()        {}
func (*portValue) accepts() string { return "a whole number from 0 to 65535 (0: any free port)" }
func (p *portValue) UnmarshalText(b []byte) error {
	n, err := strconv.ParseUint(string(b), 10, 16)
	if err != nil {
		return errWant(p)
	}
	*p = portValue(n)
	return nil
}

// hostValue is -H/--host: an IPv4 or IPv6 address literal, kept as given
// ("0.0.0.0" and "::" included; an IPv6 zone such as "fe80::1%eth0" too), or
// "*", kept as "": all interfaces. Host names and brackets are refused.
type hostValue string

func (*hostValue) accepts() string {
	return "an IPv4 or IPv6 address such as 127.0.0.1 or ::1 (no host name, no brackets), or * for all interfaces"
}
func (h *hostValue) UnmarshalText(b []byte) error {
	s := string(b)
	if s == "*" {
		*h = ""
		return nil
	}
	if _, err := netip.ParseAddr(s); err != nil {
		return errWant(h)
	}
	*h = hostValue(s)
	return nil
}

// maxID is the largest uid or gid: 2^32-2, since (uid_t)-1 means "no change"
// to setresuid and chown.
const maxID = 1<<32 - 2

// maxIDName is the longest user or group name (shadow's useradd limit).
const maxIDName = 32

// idValue is -u/--user and -g/--group, kept as given: a whole number from 0
// to maxID, or a name matching [A-Za-z_][A-Za-z0-9_.-]*[$]? of at most
// maxIDName characters. It is resolved against /etc/passwd and /etc/group
// later, by the app.
type idValue string

func (*idValue) numeric() {}
func (*idValue) accepts() string {
	return "a numeric id from 0 to 4294967294, or a name of at most 32 of A-Z a-z 0-9 _ . - that starts with a letter or _ (a final $ is allowed)"
}
func (v *idValue) UnmarshalText(b []byte) error {
	s := string(b)
	if n, err := strconv.ParseUint(s, 10, 32); err == nil && n <= maxID || isIDName(s) {
		*v = idValue(s)
		return nil
	}
	return errWant(v)
}

// isIDName reports whether s matches [A-Za-z_][A-Za-z0-9_.-]*[$]? and has at
// most maxIDName characters.
func isIDName(s string) bool {
	name := strings.TrimSuffix(s, "$")
	if name == "" || len(s) > maxIDName || name[0] == '.' || name[0] == '-' || name[0] >= '0' && name[0] <= '9' {
		return false
	}
	return strings.IndexFunc(name, func(r rune) bool { return !isWordRune(r) && r != '.' && r != '-' }) < 0
}
