# Reference computations for the Go package detect, run by its tests
# (rcompare_test.go). Usage:
#   Rscript compare.R SERIES_IN RESULTS_OUT DATASETS_OUT QNORM_OUT [time]
#
# SERIES_IN: one series per line, tab-separated fields
#   name baseline minSigma alpha ref k h m counts
# where alpha 0 means "not passed" (earsC's method default), m NA means
# m = NULL (algo.cusum estimates it), counts are space-separated.
# The script appends the package data sets (salmNewport, influMen) with
# fixed parameters, writes them to DATASETS_OUT in the same format, and
# writes one result row per evaluated time point to RESULTS_OUT:
#   name method row(1-based) upperbound(%.17g) alarm(TRUE/FALSE/NA)
# With "time", it prints "TIME method seconds nseries" per method for the
# input series (computation only: sts/disProg construction and the
# detector call, excluding R start-up, data sets and file I/O).
suppressPackageStartupMessages(library(surveillance))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 4) stop("usage: compare.R SERIES_IN RESULTS_OUT DATASETS_OUT QNORM_OUT [time]")
timing <- length(args) >= 5 && args[5] == "time"

parse_line <- function(line) {
  f <- strsplit(line, "\t", fixed = TRUE)[[1]]
  list(name = f[1], baseline = as.integer(f[2]), minSigma = as.numeric(f[3]),
       alpha = as.numeric(f[4]), ref = as.integer(f[5]), k = as.numeric(f[6]),
       h = as.numeric(f[7]), m = if (f[8] == "NA") NULL else as.numeric(f[8]),
       x = as.numeric(strsplit(f[9], " ", fixed = TRUE)[[1]]))
}
format_line <- function(s) {
  paste(s$name, s$baseline, sprintf("%.17g", s$minSigma), sprintf("%.17g", s$alpha),
        s$ref, sprintf("%.17g", s$k), sprintf("%.17g", s$h),
        if (is.null(s$m)) "NA" else sprintf("%.17g", s$m),
        paste(s$x, collapse = " "), sep = "\t")
}

series <- lapply(readLines(args[1]), parse_line)

# Package data sets: counts summed over units / first unit.
data(salmNewport)
data(influMen)
ds <- list(
  salmNewport_sum = rowSums(observed(salmNewport)),
  salmNewport_first = observed(salmNewport)[, 1],
  influMen_first = influMen$observed[, 1]
)
dsSeries <- list()
for (nm in names(ds)) {
  x <- as.numeric(ds[[nm]])
  dsSeries[[length(dsSeries) + 1]] <- list(name = paste0(nm, "_default"), baseline = 7L,
    minSigma = 0, alpha = 0, ref = 52L, k = 1.04, h = 2.26, m = NULL, x = x)
  dsSeries[[length(dsSeries) + 1]] <- list(name = paste0(nm, "_ms1"), baseline = 10L,
    minSigma = 1, alpha = 0.01, ref = 26L, k = 0.5, h = 4, m = NULL, x = x)
}
writeLines(vapply(dsSeries, format_line, ""), args[3])
nInput <- length(series)
series <- c(series, dsSeries)

run_ears <- function(s, method) {
  n <- length(s$x)
  first <- s$baseline + switch(method, C1 = 1, C2 = 3, C3 = 5)
  ctrl <- list(method = method, range = first:n, baseline = s$baseline,
               minSigma = s$minSigma)
  if (s$alpha > 0) ctrl$alpha <- s$alpha
  r <- earsC(sts(observed = s$x), control = ctrl)
  list(row = first:n, ub = as.vector(upperbound(r)), alarm = as.vector(r@alarm))
}
run_cusum <- function(s) {
  n <- length(s$x)
  rng <- (s$ref + 1):n
  ctrl <- list(range = rng, k = s$k, h = s$h, trans = "standard")
  if (!is.null(s$m)) ctrl$m <- s$m
  dp <- create.disProg(week = seq_len(n), observed = s$x, state = rep(0, n))
  r <- algo.cusum(dp, control = ctrl)
  list(row = rng, ub = as.vector(r$upperbound), alarm = as.logical(r$alarm))
}

methods <- c("C1", "C2", "C3", "CUSUM")
out <- character(0)
for (meth in methods) {
  run1 <- function(s) if (meth == "CUSUM") run_cusum(s) else run_ears(s, meth)
  # Only the input series are timed; the data sets are computed after.
  t0 <- proc.time()[["elapsed"]]
  res <- lapply(series[seq_len(nInput)], run1)
  t1 <- proc.time()[["elapsed"]]
  res <- c(res, lapply(dsSeries, run1))
  if (timing) cat(sprintf("TIME %s %.6f %d\n", meth, t1 - t0, nInput))
  for (i in seq_along(series)) {
    r <- res[[i]]
    al <- ifelse(is.na(r$alarm), "NA", ifelse(r$alarm, "TRUE", "FALSE"))
    out <- c(out, paste(series[[i]]$name, meth, r$row, sprintf("%.17g", r$ub), al, sep = "\t"))
  }
}
writeLines(out, args[2])

# qnorm on a grid covering the central region and both tails.
p <- c(10^-(seq(1, 300, by = 0.7)), seq(0.0005, 0.9995, by = 0.0005),
       1 - 10^-(seq(1, 15, by = 0.1)), 1 - c(0.001, 0.005, 0.01, 0.025, 0.05, 0.1))
writeLines(paste(sprintf("%.17g", p), sprintf("%.17g", qnorm(p)), sep = "\t"), args[4])
