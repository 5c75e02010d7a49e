package detect

import "math"

// NormalQuantile returns the p-quantile of the standard normal distribution
// (R's qnorm(p)). It uses Wichura's algorithm AS241 (PPND16, Applied
// Statistics 37:477-484, 1988) with the coefficients and operation order of
// R's nmath/qnorm.c (checked against the constants compiled into R 4.2.2's
// libR). Results agree with R's qnorm bit for bit on most inputs and within
// 2 ulp otherwise (the residual comes from Go's math.Log, which is not
// always correctly rounded like glibc's log); relative accuracy against
// exact quantiles is better than 1e-15 (see qnorm_test.go).
// It returns -Inf for p == 0, +Inf for p == 1 and NaN outside [0, 1].
func NormalQuantile(p float64) float64 {
	switch {
	case math.IsNaN(p) || p < 0 || p > 1:
		return math.NaN()
	case p == 0:
		return math.Inf(-1)
	case p == 1:
		return math.Inf(1)
	}
	q := p - 0.5
	if math.Abs(q) <= 0.425 { // 0.075 <= p <= 0.925: central rational approximation
		r := 0.180625 - q*q
		return q * (((((((r*2509.0809287301226727+
			33430.575583588128105)*r+67265.770927008700853)*r+
			45921.953931549871457)*r+13731.693765509461125)*r+
			1971.5909503065514427)*r+133.14166789178437745)*r +
			3.387132872796366608) /
			(((((((r*5226.4952788528545610+
				28729.085735721942674)*r+39307.89580009271061)*r+
				21213.794301586595867)*r+5394.1960214247511077)*r+
				687.1870074920579083)*r+42.313330701600911252)*r + 1.0)
	}
	// Tails: r = min(p, 1-p) < 0.075. R forms 1-p as (0.5 - p) + 0.5
	// (R_D_Cval), which can round differently from 1 - p; keep it so that
	// qnorm(1-alpha) matches R bit for bit.
	var r float64
	if q > 0 {
		r = (0.5 - p) + 0.5
	} else {
		r = p
	}
	r = math.Sqrt(-math.Log(r))
	var val float64
	if r <= 5 { // min(p, 1-p) >= exp(-25)
		r -= 1.6
		val = (((((((r*7.7454501427834140764e-4+
			0.0227238449892691845833)*r+0.24178072517745061177)*r+
			1.27045825245236838258)*r+3.64784832476320460504)*r+
			5.7694972214606914055)*r+4.6303378461565452959)*r +
			1.42343711074968357734) /
			(((((((r*1.05075007164441684324e-9+5.475938084995344946e-4)*r+
				0.0151986665636164571966)*r+0.14810397642748007459)*r+
				0.68976733498510000455)*r+1.6763848301838038494)*r+
				2.05319162663775882187)*r + 1.0)
	} else { // very far tail
		r -= 5
		val = (((((((r*2.01033439929228813265e-7+
			2.71155556874348757815e-5)*r+0.0012426609473880784386)*r+
			0.026532189526576123093)*r+0.29656057182850489123)*r+
			1.7848265399172913358)*r+5.4637849111641143699)*r +
			6.6579046435011037772) /
			(((((((r*2.04426310338993978564e-15+1.4215117583164458887e-7)*r+
				1.8463183175100546818e-5)*r+7.868691311456132591e-4)*r+
				0.0148753612908506148525)*r+0.13692988092273580531)*r+
				0.59983220655588793769)*r + 1.0)
	}
	if q < 0 {
		val = -val
	}
	return val
}
