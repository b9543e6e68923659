#include "campaign/experiments/experiment_stats.h"

#include <cmath>
#include <numeric>

namespace herald::campaign {
namespace {

// Acklam's rational approximation of the normal quantile (relative error < 1.2e-9).
double AcklamQuantile(double p) {
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                             1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01,  -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};
  const double low = 0.02425, high = 1 - low;
  if (p < low) {
    double q = std::sqrt(-2 * std::log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > high) {
    double q = std::sqrt(-2 * std::log(1 - p));
    return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  double q = p - 0.5, r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

// Q(a, x) by its series (x < a + 1) or continued fraction (Numerical Recipes 6.2).
double GammaSeriesP(double a, double x) {
  double sum = 1.0 / a, term = sum;
  for (int n = 1; n < 1000; ++n) {
    term *= x / (a + n);
    sum += term;
    if (std::fabs(term) < std::fabs(sum) * 1e-15) break;
  }
  return sum * std::exp(-x + a * std::log(x) - std::lgamma(a));
}

double GammaFractionQ(double a, double x) {
  const double tiny = 1e-300;
  double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
  for (int i = 1; i < 1000; ++i) {
    double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (std::fabs(d) < tiny) d = tiny;
    c = b + an / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1 / d;
    double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1) < 1e-15) break;
  }
  return std::exp(-x + a * std::log(x) - std::lgamma(a)) * h;
}

}  // namespace

double NormalCdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

double NormalQuantile(double p) {
  if (!(p > 0 && p < 1)) return std::nan("");
  double x = AcklamQuantile(p);
  // One Newton (Halley) step against the exact CDF.
  double e = NormalCdf(x) - p;
  double u = e * std::sqrt(2 * M_PI) * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

double UpperGammaQ(double a, double x) {
  if (x <= 0) return 1;
  if (x < a + 1) return 1 - GammaSeriesP(a, x);
  return GammaFractionQ(a, x);
}

double ChiSquareSurvival(double x, int df) { return df <= 0 ? std::nan("") : UpperGammaQ(df / 2.0, x / 2.0); }

std::optional<ZTest> TwoProportionZTest(int64_t cs, int64_t ct, int64_t vs, int64_t vt, double confidence) {
  if (ct <= 0 || vt <= 0 || cs < 0 || vs < 0 || cs > ct || vs > vt || !(confidence > 0 && confidence < 1)) {
    return std::nullopt;
  }
  const double p1 = static_cast<double>(cs) / ct, p2 = static_cast<double>(vs) / vt;
  const double pooled = static_cast<double>(cs + vs) / static_cast<double>(ct + vt);
  if (pooled <= 0 || pooled >= 1) return std::nullopt;
  ZTest t;
  t.control_rate = p1;
  t.variant_rate = p2;
  t.difference = p2 - p1;
  double se_pooled = std::sqrt(pooled * (1 - pooled) * (1.0 / ct + 1.0 / vt));
  t.z = t.difference / se_pooled;
  t.p_value = 2 * (1 - NormalCdf(std::fabs(t.z)));
  double se = std::sqrt(p1 * (1 - p1) / ct + p2 * (1 - p2) / vt);
  double z = NormalQuantile(1 - (1 - confidence) / 2);
  t.ci_low = t.difference - z * se;
  t.ci_high = t.difference + z * se;
  return t;
}

std::optional<int64_t> SampleSizePerArm(double p1, double mde, double alpha, double power) {
  double p2 = p1 + mde;
  if (!(p1 > 0 && p1 < 1 && p2 > 0 && p2 < 1 && mde != 0 && alpha > 0 && alpha < 1 && power > 0 && power < 1)) {
    return std::nullopt;
  }
  double za = NormalQuantile(1 - alpha / 2), zb = NormalQuantile(power);
  double mean = (p1 + p2) / 2;
  double n = std::pow(za * std::sqrt(2 * mean * (1 - mean)) + zb * std::sqrt(p1 * (1 - p1) + p2 * (1 - p2)), 2) /
             (mde * mde);
  return static_cast<int64_t>(std::ceil(n));
}

double ObrienFlemingSpent(double alpha, double t) {
  if (t <= 0) return 0;
  if (t >= 1) return alpha;
  return 2 - 2 * NormalCdf(NormalQuantile(1 - alpha / 2) / std::sqrt(t));
}

std::optional<SampleRatioCheck> CheckSampleRatio(const std::vector<int64_t>& observed,
                                                 const std::vector<double>& weights, double threshold) {
  if (observed.size() < 2 || observed.size() != weights.size()) return std::nullopt;
  double total_weight = 0;
  int64_t total = 0;
  for (size_t i = 0; i < observed.size(); ++i) {
    if (observed[i] < 0 || !(weights[i] > 0)) return std::nullopt;
    total += observed[i];
    total_weight += weights[i];
  }
  if (total == 0) return std::nullopt;
  SampleRatioCheck out;
  for (size_t i = 0; i < observed.size(); ++i) {
    double expected = static_cast<double>(total) * weights[i] / total_weight;
    double d = static_cast<double>(observed[i]) - expected;
    out.chi_square += d * d / expected;
  }
  out.p_value = ChiSquareSurvival(out.chi_square, static_cast<int>(observed.size()) - 1);
  out.mismatch = out.p_value < threshold;
  return out;
}

}  // namespace herald::campaign
