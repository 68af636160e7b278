package config

import "strings"

// Balance says how workers share the listening port (--balance).
type Balance string

// The accepted values of --balance / SPARK2_BALANCE.
const (
	// BalanceShared: one socket for every worker; whichever worker is
	// waiting in accept(2) first takes a new connection.
	BalanceShared Balance = "shared"
	// BalanceReuseport: one SO_REUSEPORT socket per slot; the kernel
	// spreads new connections over the slots evenly.
	BalanceReuseport Balance = "reuseport"
)

// keyBalance is --balance, refused with --no-listen.
const keyBalance = "balance"

// balanceValue is --balance, one of the Balance constants.
type balanceValue Balance

func (*balanceValue) accepts() string { return "shared or reuseport" }
func (b *balanceValue) UnmarshalText(t []byte) error {
	switch v := Balance(strings.ToLower(string(t))); v {
	case BalanceShared, BalanceReuseport:
		*b = balanceValue(v)
		return nil
	}
	return errWant(b)
}
