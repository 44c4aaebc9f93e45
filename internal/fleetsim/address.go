package fleetsim

import (
	"fmt"
	"net/netip"
)

// hostAddress returns the loopback address of the i-th host: 127.1.0.1,
// 127.1.0.2, ..., skipping last octets 0 and 255 and never 127.0.0.1.
func hostAddress(i int) (netip.Addr, error) {
	const perB = 254 // last octets 1..254
	c := i%perB + 1
	rest := i / perB
	b := rest % 256
	a := 1 + rest/256
	if i < 0 || a > 255 {
		return netip.Addr{}, fmt.Errorf("fleetsim: host %d: no loopback address left", i)
	}
	return netip.AddrFrom4([4]byte{127, byte(a), byte(b), byte(c)}), nil
}
