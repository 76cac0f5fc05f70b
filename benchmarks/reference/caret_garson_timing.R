# Time caret's Garson importance (varImp on an nnet) on a network fitted in Python.
#
# Used by benchmarks/bench_garson.py (and so benchmarks/run.py), not run by hand:
#   Rscript benchmarks/reference/caret_garson_timing.R DIR REPEATS
# DIR holds W1.csv (inputs x hidden), b1.csv, W2.csv (hidden x outputs) and b2.csv,
# the weights of a one-hidden-layer scikit-learn MLP. This script builds an nnet object
# carrying exactly those weights (Wts = ..., maxit = 0, as in caret_garson.R), times
# caret::varImp() on it (best of REPEATS rounds; a round repeats the call until it lasts
# 0.2 s or more) and writes DIR/result.json: the seconds per call, caret:::GarsonWeights()
# (inputs x outputs, percent) and the R, caret and nnet versions.
#
# Requires (Debian): r-base-core r-cran-caret r-cran-nnet

suppressPackageStartupMessages({
  library(nnet)
  library(caret)
})

args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
repeats <- as.integer(args[2])
read <- function(name) as.matrix(read.csv(file.path(dir, name), header = FALSE))

W1 <- read("W1.csv"); b1 <- as.vector(read("b1.csv"))
W2 <- read("W2.csv"); b2 <- as.vector(read("b2.csv"))
P <- nrow(W1); H <- ncol(W1); K <- ncol(W2)

# nnet's weight layout: per hidden unit (bias, i1..iP), then per output (bias, h1..hH)
wts <- c(as.vector(rbind(b1, W1)), as.vector(rbind(b2, W2)))
x <- matrix(0, nrow = 2, ncol = P)
y <- matrix(0, nrow = 2, ncol = K)
model <- nnet(x, y, size = H, linout = TRUE, Wts = wts, maxit = 0, trace = FALSE,
              MaxNWts = length(wts))
stopifnot(identical(model$wts, wts))

seconds_per_call <- function(f) {
  number <- 1
  repeat {
    elapsed <- system.time(for (i in seq_len(number)) f())[["elapsed"]]
    if (elapsed >= 0.2) break
    number <- number * 10
  }
  best <- elapsed / number
  for (r in seq_len(repeats - 1)) {
    best <- min(best, system.time(for (i in seq_len(number)) f())[["elapsed"]] / number)
  }
  best
}

seconds <- seconds_per_call(function() caret::varImp(model))
garson <- caret:::GarsonWeights(model)

num <- function(v) paste(sprintf("%.17g", v), collapse = ", ")
rows <- vapply(seq_len(nrow(garson)), function(i) paste0("[", num(garson[i, ]), "]"), "")
writeLines(c(
  "{",
  sprintf('  "seconds": %s,', num(seconds)),
  sprintf('  "garson": [%s],', paste(rows, collapse = ", ")),
  sprintf('  "R": "%s",', R.version$version.string),
  sprintf('  "caret": "%s",', as.character(packageVersion("caret"))),
  sprintf('  "nnet": "%s"', as.character(packageVersion("nnet"))),
  "}"
), file.path(dir, "result.json"))
