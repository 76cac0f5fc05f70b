# Reference values for skimportance's caret-style Garson importance.
#
# Fits small nnet::nnet models on seeded synthetic data, extracts their weights
# as dense matrices, and records what caret:::GarsonWeights() and
# caret::varImp() return for them. Output: tests/data/caret_garson.json
#
# Run from the repository root:
#   Rscript benchmarks/reference/caret_garson.R
#
# Requires (Debian): r-base-core r-cran-caret r-cran-nnet
#
# Numbers are written by a small hand-rolled JSON writer using "%.17g" so that
# every double round-trips exactly (jsonlite stops at 15 significant digits).

suppressPackageStartupMessages({
  library(nnet)
  library(caret)
})

out_path <- file.path("tests", "data", "caret_garson.json")
if (!dir.exists("tests")) {
  stop("run this script from the repository root (tests/ not found)")
}
dir.create(dirname(out_path), showWarnings = FALSE)

# ---------------------------------------------------------------------------
# Minimal JSON writer (full double precision)
# ---------------------------------------------------------------------------

json_num <- function(x) {
  stopifnot(is.numeric(x), length(x) == 1, is.finite(x))
  sprintf("%.17g", x)
}

json_str <- function(s) {
  s <- gsub("\\\\", "\\\\\\\\", s)
  s <- gsub("\"", "\\\\\"", s)
  paste0("\"", s, "\"")
}

json_vec <- function(v) {
  paste0("[", paste(vapply(as.numeric(v), json_num, ""), collapse = ", "), "]")
}

json_strvec <- function(v) {
  paste0("[", paste(vapply(as.character(v), json_str, ""), collapse = ", "), "]")
}

# matrix -> list of rows
json_mat <- function(m, indent) {
  m <- as.matrix(m)
  rows <- vapply(seq_len(nrow(m)), function(i) json_vec(m[i, ]), "")
  pad <- strrep(" ", indent + 2)
  paste0("[\n", pad, paste(rows, collapse = paste0(",\n", pad)), "\n",
         strrep(" ", indent), "]")
}

# obj: named list of already-encoded JSON fragments
json_obj <- function(obj, indent) {
  pad <- strrep(" ", indent + 2)
  items <- vapply(names(obj), function(k) paste0(pad, json_str(k), ": ", obj[[k]]), "")
  paste0("{\n", paste(items, collapse = ",\n"), "\n", strrep(" ", indent), "}")
}

# ---------------------------------------------------------------------------
# Weight extraction from nnet's wts vector
# ---------------------------------------------------------------------------
# Layout (no skip connections): for each hidden unit h = 1..H the block
# (bias, i1..iP), then for each output unit o = 1..K the block (bias, h1..hH).
# This is cross-checked against the names from coef() below.

extract_weights <- function(model) {
  n <- model$n
  P <- n[1]; H <- n[2]; K <- n[3]
  stopifnot(length(model$wts) == H * (P + 1) + K * (H + 1))
  w <- model$wts
  hid <- matrix(w[1:(H * (P + 1))], nrow = P + 1, ncol = H)    # col h = (b, i1..iP)
  out <- matrix(w[-(1:(H * (P + 1)))], nrow = H + 1, ncol = K) # col o = (b, h1..hH)
  W1 <- hid[-1, , drop = FALSE]   # P x H
  b1 <- hid[1, ]
  W2 <- out[-1, , drop = FALSE]   # H x K
  b2 <- out[1, ]

  # Cross-check against coef() names ("b->h1", "i1->h1", "h1->o" / "h1->o2", "b->o")
  cf <- coef(model)
  onm <- function(o) if (K == 1) "o" else paste0("o", o)
  for (h in 1:H) {
    stopifnot(identical(unname(cf[paste0("b->h", h)]), b1[h]))
    for (i in 1:P) stopifnot(identical(unname(cf[paste0("i", i, "->h", h)]), W1[i, h]))
  }
  for (o in 1:K) {
    stopifnot(identical(unname(cf[paste0("b->", onm(o))]), b2[o]))
    for (h in 1:H) stopifnot(identical(unname(cf[paste0("h", h, "->", onm(o))]), W2[h, o]))
  }
  list(W1 = W1, b1 = b1, W2 = W2, b2 = b2)
}

# nnet's C code (sigmoid() in nnet.c) saturates the logistic: exactly 0 for
# z < -15 and exactly 1 for z > 15. clip = TRUE reproduces that; clip = FALSE is
# the plain logistic (what e.g. scikit-learn uses).
forward <- function(wt, x, output, clip = TRUE) {
  z1 <- sweep(as.matrix(x) %*% wt$W1, 2, wt$b1, "+")
  a1 <- 1 / (1 + exp(-z1))
  if (clip) {
    a1[z1 < -15] <- 0
    a1[z1 > 15] <- 1
  }
  z2 <- sweep(a1 %*% wt$W2, 2, wt$b2, "+")
  out <- switch(output,
    identity = z2,
    softmax = {
      e <- exp(z2 - apply(z2, 1, max))
      e / rowSums(e)
    })
  list(pred = out, max_abs_hidden_preact = max(abs(z1)))
}

make_case <- function(name, model, x, output, description, newdata = x) {
  wt <- extract_weights(model)
  fw <- forward(wt, x, output)
  pr <- as.matrix(predict(model, newdata, type = "raw"))
  check <- max(abs(fw$pred - pr))
  check_plain <- max(abs(forward(wt, x, output, clip = FALSE)$pred - pr))
  if (check > 1e-10) stop(sprintf("%s: prediction check failed (%g)", name, check))

  garson <- caret:::GarsonWeights(model)
  vi <- caret::varImp(model)
  vi <- as.matrix(vi)

  cat(sprintf("%-24s prediction_check = %.3g, plain logistic = %.3g, max |hidden pre-activation| = %.3g\n",
              name, check, check_plain, fw$max_abs_hidden_preact))

  fields <- list(
    name = json_str(name),
    description = json_str(description),
    n_inputs = json_num(model$n[1]),
    n_hidden = json_num(model$n[2]),
    n_outputs = json_num(model$n[3]),
    output_activation = json_str(output),
    W1 = json_mat(wt$W1, 6),
    b1 = json_vec(wt$b1),
    W2 = json_mat(wt$W2, 6),
    b2 = json_vec(wt$b2),
    X = json_mat(x, 6),
    nnet_predict = json_mat(pr, 6),
    caret_garson = json_mat(garson, 6),
    caret_garson_colnames = json_strvec(colnames(garson)),
    caret_garson_rownames = json_strvec(rownames(garson)),
    varImp = json_mat(vi, 6),
    varImp_colnames = json_strvec(colnames(vi)),
    varImp_rownames = json_strvec(rownames(vi)),
    prediction_check = json_num(check),
    prediction_check_plain_logistic = json_num(check_plain),
    max_abs_hidden_preactivation = json_num(fw$max_abs_hidden_preact)
  )
  json_obj(fields, 4)
}

# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------

cases <- character(0)

# a. regression: 4 inputs, 5 hidden, linout, 1 output
set.seed(20240501)
n <- 60
xa <- matrix(rnorm(n * 4), ncol = 4, dimnames = list(NULL, paste0("x", 1:4)))
ya <- 1.5 * xa[, 1] - 2 * xa[, 2]^2 + 0.5 * xa[, 3] + rnorm(n, sd = 0.1)
ma <- nnet(xa, ya, size = 5, linout = TRUE, decay = 1e-3, maxit = 500, trace = FALSE)
cases <- c(cases, make_case(
  "regression", ma, xa, "identity",
  "nnet(x, y, size=5, linout=TRUE, decay=1e-3, maxit=500); 4 inputs, 1 output"))

# b. multiclass classification: 3 inputs, 4 hidden, 3-level factor (softmax)
set.seed(20240502)
n <- 90
xb <- matrix(rnorm(n * 3), ncol = 3, dimnames = list(NULL, paste0("x", 1:3)))
score <- cbind(xb[, 1], xb[, 2] - 0.5 * xb[, 3], -xb[, 1] + 0.3 * xb[, 3])
yb <- factor(c("a", "b", "c")[max.col(score + matrix(rnorm(n * 3, sd = 0.3), ncol = 3))],
             levels = c("a", "b", "c"))
dfb <- data.frame(xb, y = yb)
mb <- nnet(y ~ ., data = dfb, size = 4, decay = 1e-2, maxit = 500, trace = FALSE)
stopifnot(isTRUE(mb$softmax), mb$n[3] == 3)
cases <- c(cases, make_case(
  "multiclass", mb, xb, "softmax",
  "nnet(y ~ x1 + x2 + x3, size=4, decay=1e-2, maxit=500) with a 3-level factor y (softmax, 3 outputs); nnet_predict = predict(type='raw') class probabilities",
  newdata = dfb))

# c. multi-output regression: 3 inputs, 6 hidden, 2-column response
set.seed(20240503)
n <- 70
xc <- matrix(rnorm(n * 3), ncol = 3, dimnames = list(NULL, paste0("x", 1:3)))
yc <- cbind(y1 = sin(xc[, 1]) + 0.2 * xc[, 2],
            y2 = xc[, 2] * xc[, 3] - 0.5 * xc[, 1]) + matrix(rnorm(n * 2, sd = 0.05), ncol = 2)
mc <- nnet(xc, yc, size = 6, linout = TRUE, decay = 1e-3, maxit = 500, trace = FALSE)
stopifnot(mc$n[3] == 2)
cases <- c(cases, make_case(
  "multioutput_regression", mc, xc, "identity",
  "nnet(x, y_matrix, size=6, linout=TRUE, decay=1e-3, maxit=500); 3 inputs, 2 outputs"))

# ---------------------------------------------------------------------------
# Gevrey, Dimopoulos & Lek (2003) worked example (disabled block in caret's
# GarsonWeights). Build an nnet object carrying exactly these weights via
# Wts= and maxit=0, then call caret's own function on it.
# ---------------------------------------------------------------------------

i2h <- matrix(c(-1.67624, 3.29022, 1.32466,
                -0.51874, -0.22921, -0.25526,
                -4.01764, 2.12486, -0.08168,
                -1.75691, -1.44702, 0.58286), ncol = 3, byrow = TRUE)  # hidden x inputs
h2o <- c(4.57857, -0.48815, -5.73901, -2.65221)
# wts layout: per hidden unit (bias=0, i1..i3), then output (bias=0, h1..h4)
gev_wts <- c(as.vector(rbind(0, t(i2h))), 0, h2o)
set.seed(1)
xg <- matrix(rnorm(30), ncol = 3)
yg <- rnorm(10)
mg <- nnet(xg, yg, size = 4, linout = TRUE, Wts = gev_wts, maxit = 0, trace = FALSE)
stopifnot(identical(mg$wts, gev_wts))
gw <- extract_weights(mg)
stopifnot(identical(gw$W1, t(i2h)), identical(as.vector(gw$W2), h2o))
gev_garson <- caret:::GarsonWeights(mg)
cat("gevrey_2003 caret_garson:", sprintf("%.6f", gev_garson), "\n")

gevrey <- json_obj(list(
  description = json_str(paste(
    "Gevrey, Dimopoulos & Lek (2003) example weights from the disabled block in",
    "caret:::GarsonWeights; biases are zero (unused by Garson). W1 = t(i2h) (inputs x hidden),",
    "W2 = h2o (hidden x 1). caret_garson computed by caret:::GarsonWeights on an nnet",
    "object built with Wts=..., maxit=0.")),
  W1 = json_mat(gw$W1, 4),
  b1 = json_vec(gw$b1),
  W2 = json_mat(gw$W2, 4),
  b2 = json_vec(gw$b2),
  caret_garson = json_mat(gev_garson, 4)
), 2)

# ---------------------------------------------------------------------------
# Write
# ---------------------------------------------------------------------------

meta <- json_obj(list(
  generator = json_str("benchmarks/reference/caret_garson.R"),
  R_version = json_str(R.version.string),
  caret_version = json_str(as.character(packageVersion("caret"))),
  nnet_version = json_str(as.character(packageVersion("nnet"))),
  conventions = json_str(paste(
    "Matrices are lists of rows. W1: inputs x hidden, b1: hidden, W2: hidden x outputs,",
    "b2: outputs; hidden units logistic. caret_garson = caret:::GarsonWeights(model)",
    "(inputs x outputs, each column sums to 100). varImp = as.matrix(caret::varImp(model));",
    "for >1 output it has an extra leading 'Overall' column = row means.",
    "X: training inputs; nnet_predict = predict(model, X, type='raw').",
    "prediction_check = max|forward(W1,b1,W2,b2; X) - nnet_predict| using nnet's saturated",
    "logistic (0 for z < -15, 1 for z > 15, as in nnet.c); prediction_check_plain_logistic",
    "uses 1/(1+exp(-z)) everywhere."))
), 2)

txt <- json_obj(list(
  meta = meta,
  cases = paste0("[\n    ", paste(cases, collapse = ",\n    "), "\n  ]"),
  gevrey_2003 = gevrey
), 0)
writeLines(txt, out_path)
cat("wrote", out_path, "\n")
