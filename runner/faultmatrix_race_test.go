//go:build race

package runner

// Under the race detector, which makes each handshake several times
// slower, the fault matrix sweeps fewer hosts (5 of each fault, 150 in
// all) with its deadlines tripled, so healthy hosts still finish in time.
const (
	matrixScale = 3
	matrixHosts = 150
	matrixShare = 2 // faulty hosts of each kind divided by this
)
