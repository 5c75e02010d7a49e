# Reference computations of farringtonFlexible for the Go package detect,
# run by farrington_rcompare_test.go. Usage:
#   Rscript farrington.R SERIES_IN RESULTS_OUT DATASETS_OUT [time]
#
# SERIES_IN: one weekly series per line, tab-separated fields
#   name b w reweight weightsThreshold trend pThresholdTrend alpha limit54
#   powertrans populationOffset noPeriods pastWeeksNotIncluded
#   thresholdMethod start counts population range
# with logicals as TRUE/FALSE, limit54 as "cases,period",
# pastWeeksNotIncluded NA for NULL, start the date (YYYY-MM-DD) of the first
# week, counts space-separated (NA allowed), population space-separated or
# NA, range the 1-based rows to evaluate, space-separated, or NA for R's
# default range, (52*b + w + 1):n (series shorter than that are skipped).
# Each series becomes sts(epochAsDate = TRUE, freq = 52).
#
# The script appends salmNewport aggregated over its units with the default
# controls and the "Noufaily" controls of the vignette, writes those inputs
# to DATASETS_OUT in the same format, and writes one line per evaluated row
# to RESULTS_OUT:
#   name row(1-based) upperbound expected alarm score phi trend
# (numbers as %.17g, NA as NA), or "name ERROR message" when R fails.
# With "time" the input series run sequentially, salmNewport is left out,
# and the script prints
#   TIME seconds nseries nrows
# (computation only: sts construction and farringtonFlexible).
suppressPackageStartupMessages(library(surveillance))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 3) stop("usage: farrington.R SERIES_IN RESULTS_OUT DATASETS_OUT [time]")
timing <- length(args) >= 4 && args[4] == "time"

num <- function(v) as.numeric(strsplit(v, " ", fixed = TRUE)[[1]])
parse_line <- function(line) {
  f <- strsplit(line, "\t", fixed = TRUE)[[1]]
  lim <- as.numeric(strsplit(f[9], ",", fixed = TRUE)[[1]])
  ctrl <- list(b = as.integer(f[2]), w = as.integer(f[3]), reweight = as.logical(f[4]),
               weightsThreshold = as.numeric(f[5]), trend = as.logical(f[6]),
               pThresholdTrend = as.numeric(f[7]), alpha = as.numeric(f[8]),
               limit54 = lim, powertrans = f[10], populationOffset = as.logical(f[11]),
               noPeriods = as.integer(f[12]),
               pastWeeksNotIncluded = if (f[13] == "NA") NULL else as.integer(f[13]),
               thresholdMethod = f[14], glmWarnings = FALSE)
  list(name = f[1], ctrl = ctrl, start = as.Date(f[15]), x = suppressWarnings(num(f[16])),
       pop = if (f[17] == "NA") NULL else num(f[17]),
       range = if (f[18] == "NA") NULL else as.integer(num(f[18])))
}
fmt <- function(v) ifelse(is.na(v), "NA", sprintf("%.17g", v))
format_line <- function(s) {
  c <- s$ctrl
  paste(s$name, c$b, c$w, c$reweight, fmt(c$weightsThreshold), c$trend,
        fmt(c$pThresholdTrend), fmt(c$alpha), paste(c$limit54, collapse = ","),
        c$powertrans, c$populationOffset, c$noPeriods,
        if (is.null(c$pastWeeksNotIncluded)) "NA" else c$pastWeeksNotIncluded,
        c$thresholdMethod, format(s$start), paste(fmt(s$x), collapse = " "),
        if (is.null(s$pop)) "NA" else paste(fmt(s$pop), collapse = " "),
        if (is.null(s$range)) "NA" else paste(s$range, collapse = " "), sep = "\t")
}

series <- lapply(readLines(args[1]), parse_line)
nInput <- length(series)

# salmNewport summed over the 16 federal states, as in the vignette.
data(salmNewport)
agg <- aggregate(salmNewport, by = "unit")
defaults <- eval(formals(farringtonFlexible)$control)
noufaily <- modifyList(defaults, list(noPeriods = 10L, b = 4L, w = 3L, weightsThreshold = 2.58,
                                      pastWeeksNotIncluded = 26L, pThresholdTrend = 1,
                                      thresholdMethod = "nbPlugin"))
mk <- function(name, ctrl, st = agg) {
  ctrl$glmWarnings <- FALSE
  ctrl$verbose <- NULL
  ctrl$range <- NULL
  ctrl$fitFun <- NULL
  list(name = name, ctrl = ctrl, start = as.Date(epoch(st)[1]),
       x = as.numeric(observed(st)[, 1]), pop = NULL, range = NULL)
}
# influMen (influenza, its first unit) is a disProg with week numbers: give
# it dates, weekly from the Monday of its first ISO week (2001-W01).
data(influMen)
flu <- disProg2sts(influMen)
flu <- sts(observed = observed(flu)[, 1, drop = FALSE],
           epoch = as.numeric(as.Date("2001-01-01") + 7 * (seq_len(nrow(flu)) - 1)),
           epochAsDate = TRUE, freq = 52)
dsSeries <- list(mk("salmNewport_default", defaults), mk("salmNewport_noufaily", noufaily),
                 mk("influMen_default", defaults, flu), mk("influMen_noufaily", noufaily, flu))
if (timing) dsSeries <- list()
writeLines(vapply(dsSeries, format_line, ""), args[3])
series <- c(series, dsSeries)

run1 <- function(s) {
  tryCatch(run1_(s), error = function(e)
    paste(s$name, "ERROR", gsub("[\t\n]", " ", conditionMessage(e)), sep = "\t"))
}
run1_ <- function(s) {
  n <- length(s$x)
  rng <- s$range
  if (is.null(rng)) {
    first <- 52 * s$ctrl$b + s$ctrl$w + 1
    if (first > n) return(character(0))
    rng <- first:n
  }
  dates <- s$start + 7 * (seq_len(n) - 1)
  st <- if (is.null(s$pop)) {
    sts(observed = s$x, epoch = as.numeric(dates), epochAsDate = TRUE, freq = 52)
  } else {
    sts(observed = s$x, epoch = as.numeric(dates), epochAsDate = TRUE, freq = 52,
        population = matrix(s$pop, ncol = 1))
  }
  # control$expected etc. are indexed by k - min(range) + 1, so each call
  # gets a contiguous range.
  runs <- split(rng, cumsum(c(1, diff(rng) != 1)))
  unlist(lapply(runs, function(r1) {
    ctrl <- s$ctrl
    ctrl$range <- r1
    r <- suppressWarnings(farringtonFlexible(st, control = ctrl))
    al <- as.vector(r@alarm)
    paste(s$name, r1, fmt(as.vector(upperbound(r))), fmt(as.vector(r@control$expected)),
          ifelse(is.na(al), "NA", ifelse(al, "TRUE", "FALSE")),
          fmt(as.vector(r@control$score)), fmt(as.vector(r@control$phiVector)),
          fmt(as.vector(r@control$trend)), sep = "\t")
  }), use.names = FALSE)
}

if (timing) {
  t0 <- proc.time()[["elapsed"]]
  res <- lapply(series[seq_len(nInput)], run1)
  t1 <- proc.time()[["elapsed"]]
  cat(sprintf("TIME %.6f %d %d\n", t1 - t0, nInput, sum(lengths(res))))
} else {
  cores <- max(1L, min(8L, parallel::detectCores(), na.rm = TRUE))
  res <- parallel::mclapply(series, run1, mc.cores = cores)
}
writeLines(unlist(res), args[2])
