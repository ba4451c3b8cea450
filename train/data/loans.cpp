#include "train/data/loans.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <ostream>

#include "core/error.h"
#include "core/random.h"

namespace dither {
namespace {

constexpr std::array<const char*, 4> kEmployment = {"salaried", "self-employed", "unemployed",
                                                    "retired"};
constexpr std::array<double, 4> kEmploymentEffect = {0.6, 0.1, -1.6, -0.2};
constexpr std::array<const char*, 3> kHome = {"rent", "own", "mortgage"};
constexpr std::array<double, 3> kHomeEffect = {-0.3, 0.4, 0.1};
constexpr std::array<const char*, 5> kPurpose = {"car, new", "car, used", "home improvement",
                                                 "debt consolidation", "education"};
constexpr std::array<double, 5> kPurposeEffect = {0.2, 0.0, 0.3, -0.4, -0.1};

}  // namespace

void write_loans_csv(std::ostream& out, std::int64_t n, const RandomStream& stream) {
  check(n >= 0, "write_loans_csv: n must be >= 0, got ", n);
  out << "age,income,loan_amount,term,employment,home,purpose,credit_score,approved\n";
  for (std::int64_t i = 0; i < n; ++i) {
    const RandomStream s = stream.child(static_cast<std::uint64_t>(i));
    const int age = 21 + static_cast<int>(s.integer(0, 50));
    const std::size_t employment = age > 64 ? 3 : static_cast<std::size_t>(s.integer(1, 3));
    const double income =
        std::round(std::exp(3.7 + 0.45 * s.normal(2)) * (employment == 2 ? 0.3 : 1.0));
    const double amount = std::round(std::clamp(income * (0.2 + 0.8 * s.uniform(3)), 1.0, 500.0));
    const bool long_term = s.bernoulli(4, 0.35);
    const auto home = static_cast<std::size_t>(s.integer(5, 3));
    const auto purpose = static_cast<std::size_t>(s.integer(6, 5));
    const int credit =
        static_cast<int>(std::clamp(std::round(660.0 + 70.0 * s.normal(7)), 300.0, 850.0));

    const double score = -0.35 + 0.012 * (credit - 650) + 1.2 * std::log(income / amount) +
                         kEmploymentEffect[employment] + kHomeEffect[home] +
                         kPurposeEffect[purpose] - (long_term ? 0.3 : 0.0) - 0.01 * (age - 45);
    const bool approved = s.uniform(8) < 1.0 / (1.0 + std::exp(-2.0 * score));

    const double missing = s.uniform(9);
    out << age << ',';
    if (missing < 0.015) {
      out << "NA";
    } else if (missing >= 0.03) {
      out << income;
    }
    out << ',' << amount << ',' << (long_term ? "60 months" : "36 months") << ','
        << kEmployment[employment] << ',' << kHome[home] << ",\"" << kPurpose[purpose] << "\",";
    if (s.uniform(10) < 0.02) {
      out << '?';
    } else {
      out << credit;
    }
    out << ',' << (approved ? "yes" : "no") << '\n';
  }
}

void write_loans_csv(const std::string& path, std::int64_t n, const RandomStream& stream) {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw ConfigError(path + ": cannot open for writing");
  write_loans_csv(out, n, stream);
  if (!out.flush()) throw ConfigError(path + ": write failed");
}

}  // namespace dither
