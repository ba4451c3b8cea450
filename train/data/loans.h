#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

namespace dither {

class RandomStream;

/// Writes `n` rows of a synthetic loan-approval table as CSV: a small tabular teaching set
/// that needs no download. Columns: age, income (thousands; about 3% "NA" or empty),
/// loan_amount (thousands), term ("36 months" | "60 months"), employment (salaried,
/// self-employed, unemployed, retired), home (rent, own, mortgage), purpose (quoted, some with
/// commas: "car, new"), credit_score (about 2% "?"), approved (yes | no: a noisy logistic rule
/// of the others). Row i depends only on (stream, i).
void write_loans_csv(std::ostream& out, std::int64_t n, const RandomStream& stream);

/// write_loans_csv to a file; ConfigError naming it when it cannot be written.
void write_loans_csv(const std::string& path, std::int64_t n, const RandomStream& stream);

}  // namespace dither
