package detect

import (
	"math"
	"testing"
)

// Reference quantiles of the exact double p, computed with mpmath at 400
// digits (findroot on log Phi) and rounded to float64.
var normalQuantileRef = []struct{ p, q float64 }{
	{0x1.56e1fc2f8f359p-997, -37.0470962993612},     // p=1e-300
	{0x1.bff2ee48e0530p-333, -21.273453560965326},   // p=1e-100
	{0x1.79ca10c924223p-67, -9.262340089798407},     // p=1e-20
	{0x1.b7cdfd9d7bdbbp-34, -6.361340902404057},     // p=1e-10
	{0x1.c965971ea9c5cp-37, -6.667611456510741},     // p=1.3e-11
	{0x1.4f8b588e368f1p-17, -4.264890793922825},     // p=1e-05
	{0x1.0624dd2f1a9fcp-10, -3.0902323061678136},    // p=0.001
	{0x1.47ae147ae147bp-7, -2.326347874040841},      // p=0.01
	{0x1.999999999999ap-6, -1.9599639845400543},     // p=0.025
	{0x1.999999999999ap-5, -1.6448536269514726},     // p=0.05
	{0x1.2f1a9fbe76c8bp-4, -1.4466320671589785},     // p=0.074
	{0x1.3333333333333p-4, -1.439531470938456},      // p=0.075
	{0x1.374bc6a7ef9dbp-4, -1.4325027208258116},     // p=0.076
	{0x1.999999999999ap-4, -1.2815515655446004},     // p=0.1
	{0x1.999999999999ap-3, -0.8416212335729142},     // p=0.2
	{0x1.3333333333333p-2, -0.5244005127080408},     // p=0.3
	{0x1.999999999999ap-2, -0.2533471031357997},     // p=0.4
	{0x1.ccccccccccccdp-2, -0.12566134685507402},    // p=0.45
	{0x1.f5c28f5c28f5cp-2, -0.025068908258711057},   // p=0.49
	{0x1.fef9db22d0e56p-2, -0.002506630899571766},   // p=0.499
	{0x1.fffff94a03595p-2, -2.5066282747031063e-07}, // p=0.4999999
	{0x1.000000089705fp-1, 2.5066282037387115e-09},  // p=0.500000001
	{0x1.0000035afe535p-1, 2.506628273311648e-07},   // p=0.5000001
	{0x1.3333333333333p-1, 0.2533471031357997},      // p=0.6
	{0x1.8000000000000p-1, 0.6744897501960817},      // p=0.75
	{0x1.ccccccccccccdp-1, 1.2815515655446006},      // p=0.9
	{0x1.d916872b020c5p-1, 1.4325027208258119},      // p=0.924
	{0x1.d99999999999ap-1, 1.4395314709384561},      // p=0.925
	{0x1.da1cac083126fp-1, 1.4466320671589787},      // p=0.926
	{0x1.e666666666666p-1, 1.6448536269514722},      // p=0.95
	{0x1.f333333333333p-1, 1.9599639845400538},      // p=0.975
	{0x1.fae147ae147aep-1, 2.3263478740408408},      // p=0.99
	{0x1.f333333333333p-1, 1.9599639845400538},      // p=0.975
	{0x1.ff7ced916872bp-1, 3.090232306167813},       // p=0.999
	{0x1.ffffffff24190p-1, 6.361340889697422},       // p=0.9999999999
	{0x1.ffffffffffffep-1, 8.125890664701906},       // p=0.9999999999999998
}

func TestNormalQuantile_Reference(t *testing.T) {
	for _, c := range normalQuantileRef {
		got := NormalQuantile(c.p)
		rel := math.Abs(got-c.q) / math.Abs(c.q)
		if rel > 1e-15 {
			t.Errorf("NormalQuantile(%v) = %.17g, want %.17g (rel err %.2e)", c.p, got, c.q, rel)
		}
	}
}

func TestNormalQuantile_Properties(t *testing.T) {
	if got := NormalQuantile(0.5); got != 0 {
		t.Errorf("NormalQuantile(0.5) = %v, want 0", got)
	}
	if !math.IsInf(NormalQuantile(0), -1) || !math.IsInf(NormalQuantile(1), 1) {
		t.Error("NormalQuantile(0|1) must be -Inf|+Inf")
	}
	for _, p := range []float64{-0.1, 1.1, math.NaN()} {
		if !math.IsNaN(NormalQuantile(p)) {
			t.Errorf("NormalQuantile(%v) should be NaN", p)
		}
	}
	// Antisymmetry where 1-p is exact, and monotonicity on a fine grid.
	prev := math.Inf(-1)
	for i := 1; i < 4096; i++ {
		p := float64(i) / 4096
		q := NormalQuantile(p)
		if q <= prev {
			t.Fatalf("not increasing at p=%v", p)
		}
		prev = q
		if r := NormalQuantile(1 - p); r != -q {
			t.Fatalf("NormalQuantile(1-%v) = %v, want %v", p, r, -q)
		}
	}
	// Newton residual against the CDF: one Newton step from q must not move
	// it by more than 1e-15 relative (the check's own resolution limits it
	// near q = 0, hence the absolute floor).
	for e := -300.0; e <= -0.31; e += 0.37 {
		p := math.Pow(10, e)
		q := NormalQuantile(p)
		cdf := 0.5 * math.Erfc(-q/math.Sqrt2)
		dens := math.Exp(-q*q/2) / math.Sqrt(2*math.Pi)
		dq := (cdf - p) / dens
		if math.Abs(dq) > 1e-15*math.Abs(q)+4e-16 {
			t.Errorf("p=%g: q=%.17g, Newton step %.3g", p, q, dq)
		}
	}
}
