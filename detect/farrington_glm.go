package detect

import (
	"errors"
	"math"
)

// The numerical kernel of Farrington: a quasi-Poisson log-link GLM fitted
// exactly as R's glm.fit does it (same start, same IRLS steps, same
// convergence test, LINPACK dqrdc2 Householder QR with R's limited column
// pivoting), plus the few distribution functions the method needs. Matching
// R's algorithm step by step, not just its optimum, matters: glm stops on a
// deviance criterion, so the returned coefficients, working weights and
// dispersion depend on where the iteration stops.

const (
	glmEpsilon = 1e-8 // glm.control()$epsilon
	glmMaxit   = 25   // glm.control()$maxit
	// dqrdc2 tolerance used by glm.fit: min(1e-7, epsilon/1000).
	glmQRTol = glmEpsilon / 1000
	dblEps   = 2.220446049250313e-16 // .Machine$double.eps
)

// errGLM marks the cases where R's glm.fit (or the code around it) calls
// stop(); the Farrington row is then not evaluable.
var errGLM = errors.New("detect: glm fit failed")

// qpFit is a fitted quasi-Poisson GLM with the pieces of R's glm object
// that farringtonFlexible reads.
type qpFit struct {
	n, p      int
	coef      []float64 // by design column, NaN where aliased (R: NA)
	rank      int
	pivot     []int     // dqrdc2 column order
	qr        []float64 // dqrdc2 output of the last iteration, column-major n×p
	qraux     []float64
	y, mu     []float64
	wt        []float64 // working weights of the last iteration (R: model$weights)
	resid     []float64 // working residuals (R: model$residuals)
	converged bool
	broken    bool // IRLS stopped on non-finite coefficients; no usable model
	dfResid   int
}

// fitQuasiPoisson reproduces glm(y ~ X, family = quasipoisson, weights =
// prior, offset = offset) through glm.fit. x is column-major n×p.
func fitQuasiPoisson(x []float64, n, p int, y, prior, offset []float64) (*qpFit, error) {
	eta := make([]float64, n)
	mu := make([]float64, n)
	for i := range y {
		// family$initialize: mustart <- y + 0.1; eta <- log(mustart);
		// mu <- linkinv(eta), with linkinv = pmax(exp(eta), eps).
		eta[i] = math.Log(y[i] + 0.1)
		mu[i] = math.Max(math.Exp(eta[i]), dblEps)
	}
	devold := qpDeviance(y, mu, prior)
	var (
		start, coefold []float64
		w              = make([]float64, n)
		z              = make([]float64, n)
		zw             = make([]float64, n)
		xw             = make([]float64, n*p)
		qraux          = make([]float64, p)
		pivot          = make([]int, p)
		rank           int
		conv           bool
	)
	for iter := 1; iter <= glmMaxit; iter++ {
		for i := range y {
			// mu.eta(eta) = pmax(exp(eta), eps) is exactly mu for the log link.
			me := mu[i]
			z[i] = (eta[i] - offset[i]) + (y[i]-mu[i])/me
			w[i] = math.Sqrt(prior[i] * me * me / mu[i]) // variance(mu) = mu
		}
		for j := 0; j < p; j++ {
			for i := 0; i < n; i++ {
				xw[j*n+i] = x[j*n+i] * w[i]
			}
		}
		for i := range z {
			zw[i] = z[i] * w[i]
		}
		var b []float64
		rank, b = dqrls(xw, n, p, zw, qraux, pivot)
		for _, v := range b {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				// R: warning "non-finite coefficients", conv FALSE, break.
				return &qpFit{broken: true}, nil
			}
		}
		start = make([]float64, p)
		for j := 0; j < p; j++ {
			start[pivot[j]] = b[j]
		}
		linPred(x, n, p, start, offset, eta, mu)
		dev := qpDeviance(y, mu, prior)
		// Step halving as glm.fit does for an infinite deviance or
		// invalid mu (validmu: all finite and > 0).
		bad := func() bool { return math.IsInf(dev, 0) || math.IsNaN(dev) || !validMu(mu) }
		if bad() {
			if coefold == nil {
				return nil, errGLM // "no valid set of coefficients has been found"
			}
			for ii := 1; bad(); ii++ {
				if ii > glmMaxit {
					return nil, errGLM // "inner loop; cannot correct step size"
				}
				for j := range start {
					start[j] = (start[j] + coefold[j]) / 2
				}
				linPred(x, n, p, start, offset, eta, mu)
				dev = qpDeviance(y, mu, prior)
			}
		}
		if math.Abs(dev-devold)/(0.1+math.Abs(dev)) < glmEpsilon {
			conv = true
			break
		}
		devold = dev
		coefold = start
	}
	f := &qpFit{
		n: n, p: p, rank: rank, pivot: pivot, qr: xw, qraux: qraux,
		y: y, mu: mu, converged: conv,
		coef:  make([]float64, p),
		wt:    make([]float64, n),
		resid: make([]float64, n),
	}
	copy(f.coef, start)
	for j := rank; j < p; j++ {
		f.coef[pivot[j]] = math.NaN()
	}
	nzero := 0
	for i := range y {
		f.resid[i] = (y[i] - mu[i]) / mu[i] // mu.eta(eta) = mu
		f.wt[i] = w[i] * w[i]
		if prior[i] == 0 {
			nzero++
		}
	}
	f.dfResid = n - nzero - rank
	return f, nil
}

func validMu(mu []float64) bool {
	for _, m := range mu {
		if !(m > 0) || math.IsInf(m, 1) {
			return false
		}
	}
	return true
}

// linPred sets eta = X start + offset and mu = pmax(exp(eta), eps).
func linPred(x []float64, n, p int, start, offset, eta, mu []float64) {
	for i := 0; i < n; i++ {
		var s float64
		for j := 0; j < p; j++ {
			s += x[j*n+i] * start[j]
		}
		eta[i] = s + offset[i]
		mu[i] = math.Max(math.Exp(eta[i]), dblEps)
	}
}

// qpDeviance is sum(quasipoisson()$dev.resids(y, mu, wt)).
func qpDeviance(y, mu, wt []float64) float64 {
	var s float64
	for i := range y {
		r := mu[i] * wt[i]
		if y[i] > 0 {
			r = wt[i] * (y[i]*math.Log(y[i]/mu[i]) - (y[i] - mu[i]))
		}
		s += 2 * r
	}
	return s
}

// dispersion is summary.glm's estimate for a quasi family:
// sum(weights * residuals^2) / df.residual over positive weights, with the
// working weights of the fit.
func (f *qpFit) dispersion() float64 { return f.dispersionWith(f.wt) }

// dispersionWith is summary.glm's estimate when model$weights holds w.
func (f *qpFit) dispersionWith(w []float64) float64 {
	if f.dfResid <= 0 {
		return math.NaN()
	}
	var s float64
	for i, wi := range w {
		if wi > 0 {
			s += wi * f.resid[i] * f.resid[i]
		}
	}
	return s / float64(f.dfResid)
}

// rInv returns the inverse of the rank×rank triangular factor R (pivoted
// order), row-major; used for covariances and prediction variances.
func (f *qpFit) rInv() []float64 {
	k, n := f.rank, f.n
	inv := make([]float64, k*k)
	for c := 0; c < k; c++ { // solve R x = e_c by back substitution
		for i := c; i >= 0; i-- {
			s := 0.0
			if i == c {
				s = 1
			}
			for j := i + 1; j <= c; j++ {
				s -= f.qr[j*n+i] * inv[j*k+c]
			}
			inv[i*k+c] = s / f.qr[i*n+i]
		}
	}
	return inv
}

// pValue returns summary.glm's Pr(>|t|) for design column col given the
// dispersion, or NaN when the column is aliased.
func (f *qpFit) pValue(col int, disp float64) float64 {
	pos := -1
	for j := 0; j < f.rank; j++ {
		if f.pivot[j] == col {
			pos = j
		}
	}
	if pos < 0 {
		return math.NaN()
	}
	inv := f.rInv()
	k := f.rank
	// diag(chol2inv(R)) = row norms of R^-1.
	var v float64
	for j := pos; j < k; j++ {
		v += inv[pos*k+j] * inv[pos*k+j]
	}
	se := math.Sqrt(v * disp)
	t := f.coef[col] / se
	return tTwoSided(t, float64(f.dfResid))
}

// predictLink returns predict.glm's link-scale fit and se.fit at a new
// design row x0 (all columns, original order) with the given offset and
// dispersion.
func (f *qpFit) predictLink(x0 []float64, offset, disp float64) (eta, se float64) {
	k, n := f.rank, f.n
	for j := 0; j < k; j++ {
		eta += x0[f.pivot[j]] * f.coef[f.pivot[j]]
	}
	eta += offset
	// v = x0[piv] R^-1 by forward substitution on R'.
	v := make([]float64, k)
	for j := 0; j < k; j++ {
		s := x0[f.pivot[j]]
		for i := 0; i < j; i++ {
			s -= f.qr[j*n+i] * v[i]
		}
		v[j] = s / f.qr[j*n+j]
	}
	rv := disp
	var ip float64
	for _, x := range v {
		ip += x * x * rv
	}
	return eta, math.Sqrt(ip)
}

// hatValues returns hatvalues(model): the diagonal of the weighted hat
// matrix, sum over the first rank columns of Q squared (lm.influence sets
// values >= 1 - 10*eps to 1).
func (f *qpFit) hatValues() []float64 {
	n := f.n
	h := make([]float64, n)
	v := make([]float64, n)
	for c := 0; c < f.rank; c++ {
		for i := range v {
			v[i] = 0
		}
		v[c] = 1
		qrQy(f.qr, n, f.rank, f.qraux, v)
		for i, x := range v {
			h[i] += x * x
		}
	}
	for i := range h {
		if h[i] >= 1-10*dblEps {
			h[i] = 1
		}
	}
	return h
}

// dqrls is LINPACK's dqrls as called by R's Cdqrls: QR of x in place
// (dqrdc2) and the least-squares coefficients in pivoted order, zero beyond
// the rank.
func dqrls(x []float64, n, p int, y []float64, qraux []float64, pivot []int) (int, []float64) {
	k := dqrdc2(x, n, p, glmQRTol, qraux, pivot)
	b := make([]float64, p)
	if k > 0 {
		qty := append([]float64(nil), y...)
		qrQty(x, n, k, qraux, qty)
		copy(b, qty[:k])
		for j := k - 1; j >= 0; j-- { // dqrsl back substitution
			b[j] /= x[j*n+j]
			t := -b[j]
			for i := 0; i < j; i++ {
				b[i] += t * x[j*n+i]
			}
		}
	}
	return k, b
}

// householder applies reflection j stored by dqrdc2 to y (as dqrsl does).
func householder(x []float64, n, j int, qraux, y []float64) {
	if qraux[j] == 0 {
		return
	}
	col := x[j*n : (j+1)*n]
	diag := qraux[j] // dqrsl swaps qraux(j) into x(j,j) temporarily
	t := diag * y[j]
	for i := j + 1; i < n; i++ {
		t += col[i] * y[i]
	}
	t = -t / diag
	y[j] += t * diag
	for i := j + 1; i < n; i++ {
		y[i] += t * col[i]
	}
}

// qrQty overwrites y with Q'y.
func qrQty(x []float64, n, k int, qraux, y []float64) {
	for j := 0; j < min(k, n-1); j++ {
		householder(x, n, j, qraux, y)
	}
}

// qrQy overwrites y with Qy.
func qrQy(x []float64, n, k int, qraux, y []float64) {
	for j := min(k, n-1) - 1; j >= 0; j-- {
		householder(x, n, j, qraux, y)
	}
}

func nrm2(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x * x
	}
	return math.Sqrt(s)
}

// dqrdc2 is R's modification of LINPACK dqrdc: Householder QR that moves
// columns whose remaining norm falls below tol times their original norm
// to the end (limited pivoting), so that aliased columns get NA
// coefficients as in R. x is column-major n×p and is overwritten; it
// returns the rank.
func dqrdc2(x []float64, n, p int, tol float64, qraux []float64, pivot []int) int {
	work1 := make([]float64, p)
	work2 := make([]float64, p)
	for j := 0; j < p; j++ {
		qraux[j] = nrm2(x[j*n : (j+1)*n])
		work1[j], work2[j] = qraux[j], qraux[j]
		if work2[j] == 0 {
			work2[j] = 1
		}
		pivot[j] = j
	}
	tmp := make([]float64, n)
	lup := min(n, p)
	k := p + 1
	for l := 0; l < lup; l++ {
		// Cycle negligible columns to the end (Fortran: l .ge. k stops it).
		for l+1 < k && qraux[l] < work2[l]*tol {
			copy(tmp, x[l*n:(l+1)*n])
			copy(x[l*n:], x[(l+1)*n:p*n])
			copy(x[(p-1)*n:], tmp)
			pv, q, w1, w2 := pivot[l], qraux[l], work1[l], work2[l]
			copy(pivot[l:], pivot[l+1:])
			copy(qraux[l:], qraux[l+1:])
			copy(work1[l:], work1[l+1:])
			copy(work2[l:], work2[l+1:])
			pivot[p-1], qraux[p-1], work1[p-1], work2[p-1] = pv, q, w1, w2
			k--
		}
		if l == n-1 {
			break
		}
		col := x[l*n : (l+1)*n]
		nrmxl := nrm2(col[l:])
		if nrmxl == 0 {
			continue
		}
		if col[l] != 0 {
			nrmxl = math.Copysign(nrmxl, col[l])
		}
		s := 1 / nrmxl
		for i := l; i < n; i++ {
			col[i] *= s
		}
		col[l] = 1 + col[l]
		for j := l + 1; j < p; j++ {
			cj := x[j*n : (j+1)*n]
			var d float64
			for i := l; i < n; i++ {
				d += col[i] * cj[i]
			}
			t := -d / col[l]
			for i := l; i < n; i++ {
				cj[i] += t * col[i]
			}
			if qraux[j] != 0 {
				tt := 1 - (math.Abs(cj[l])/qraux[j])*(math.Abs(cj[l])/qraux[j])
				tt = math.Max(tt, 0)
				if math.Abs(tt) < 1e-6 {
					qraux[j] = nrm2(cj[l+1:])
					work1[j] = qraux[j]
				} else {
					qraux[j] *= math.Sqrt(tt)
				}
			}
		}
		qraux[l] = col[l]
		col[l] = -nrmxl
	}
	return min(k-1, n)
}

// tTwoSided returns 2*pt(-|t|, df) as R computes it (pt.c: through pbeta).
func tTwoSided(t, df float64) float64 {
	if math.IsNaN(t) || math.IsNaN(df) {
		return math.NaN()
	}
	x := -math.Abs(t)
	if math.IsInf(x, 0) {
		return 0
	}
	nx := 1 + (x/df)*x
	if nx > 1e100 {
		lg1, _ := math.Lgamma(0.5 * df)
		lg2, _ := math.Lgamma(0.5)
		lg3, _ := math.Lgamma(0.5*df + 0.5)
		lval := -0.5*df*(2*math.Log(math.Abs(x))-math.Log(df)) - (lg1 + lg2 - lg3) - math.Log(0.5*df)
		return math.Exp(lval)
	}
	if df > x*x {
		// pbeta(x²/(n+x²), 1/2, n/2, lower = FALSE) = I_{n/(n+x²)}(n/2, 1/2)
		return regIncBeta(df/(df+x*x), df/2, 0.5)
	}
	return regIncBeta(1/nx, df/2, 0.5)
}

// regIncBeta is the regularized incomplete beta function I_x(a, b)
// (continued fraction, modified Lentz). Accurate to about 1e-14 for the
// moderate a, b of the trend test, which only compares it with a threshold.
func regIncBeta(x, a, b float64) float64 {
	switch {
	case math.IsNaN(x):
		return math.NaN()
	case x <= 0:
		return 0
	case x >= 1:
		return 1
	}
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	front := math.Exp(lab - la - lb + a*math.Log(x) + b*math.Log1p(-x))
	if x < (a+1)/(a+b+2) {
		return front * betaCF(x, a, b) / a
	}
	return 1 - front*betaCF(1-x, b, a)/b
}

func betaCF(x, a, b float64) float64 {
	const tiny = 1e-300
	qab, qap, qam := a+b, a+1, a-1
	c, d := 1.0, 1-qab*x/qap
	if math.Abs(d) < tiny {
		d = tiny
	}
	d = 1 / d
	h := d
	for m := 1; m <= 10000; m++ {
		fm := float64(m)
		m2 := 2 * fm
		aa := fm * (b - fm) * x / ((qam + m2) * (a + m2))
		d = 1 + aa*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = 1 + aa/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		h *= d * c
		aa = -(a + fm) * (qab + fm) * x / ((a + m2) * (qap + m2))
		d = 1 + aa*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = 1 + aa/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < 1e-16 {
			break
		}
	}
	return h
}

// discreteQuantile returns the smallest k >= 0 whose cumulative probability
// reaches p*(1 - 64*eps) (R's left-continuity fuzz in qpois/qnbinom), for
// a distribution on 0, 1, 2, ... given by log P(0) and the ratio
// P(k+1)/P(k). Terms are summed from 0; underflowing leading terms are
// carried in log scale. +Inf when the search does not end.
func discreteQuantile(p, logP0 float64, ratio func(k float64) float64) float64 {
	target := p * (1 - 64*dblEps)
	const maxK = 1e8
	var cdf float64
	logt, k := logP0, 0.0
	// Leading terms too small to represent: stay in log scale.
	for logt < -700 {
		cdf += math.Exp(logt)
		if cdf >= target {
			return k
		}
		logt += math.Log(ratio(k))
		k++
		if k > maxK || math.IsNaN(logt) {
			return math.Inf(1)
		}
	}
	t := math.Exp(logt)
	for ; k <= maxK; k++ {
		cdf += t
		if cdf >= target {
			return k
		}
		t *= ratio(k)
		if math.IsNaN(t) || (t == 0 && cdf < target) {
			return math.Inf(1)
		}
	}
	return math.Inf(1)
}

// qpois is R's qpois(p, lambda) for 0 < p < 1.
func qpois(p, lambda float64) float64 {
	switch {
	case math.IsNaN(p) || math.IsNaN(lambda) || lambda < 0:
		return math.NaN()
	case lambda == 0:
		return 0
	case math.IsInf(lambda, 1):
		return math.Inf(1)
	}
	return discreteQuantile(p, -lambda, func(k float64) float64 { return lambda / (k + 1) })
}

// qnbinom is R's qnbinom(p, size, prob) for 0 < p < 1: the count of
// failures before size successes of probability prob.
func qnbinom(p, size, prob float64) float64 {
	switch {
	case math.IsNaN(p) || math.IsNaN(size) || math.IsNaN(prob) || prob <= 0 || prob > 1 || size < 0:
		return math.NaN()
	case prob == 1 || size == 0:
		return 0
	}
	// pbeta works with x = prob and y = 1 - prob formed as 0.5 - x + 0.5.
	q := 0.5 - prob + 0.5
	return discreteQuantile(p, size*math.Log(prob), func(k float64) float64 { return (k + size) / (k + 1) * q })
}
