//go:build !race

package runner

// The fault matrix's size and deadlines as issue 8 asks: 500 hosts, 10 of
// each fault (5 floods), deadlines as written.
const (
	matrixScale = 1
	matrixHosts = 500
	matrixShare = 1
)
