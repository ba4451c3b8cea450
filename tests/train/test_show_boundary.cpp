#include <gtest/gtest.h>
#include <stb/stb_image.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string>

#include "cli_testing.h"
#include "core/autograd.h"
#include "core/error.h"
#include "layers/linear.h"
#include "layers/sequential.h"
#include "run_testing.h"
#include "train/load_trained.h"
#include "train/show_boundary.h"

namespace dither {
namespace {

using testing::quoted;
using testing::TempDir;

struct Decoded {
  int width = 0, height = 0;
  std::unique_ptr<unsigned char, void (*)(void*)> pixels{nullptr, stbi_image_free};
  std::span<const std::uint8_t> rgb() const {
    return {pixels.get(), static_cast<std::size_t>(width) * height * 3};
  }
  Rgb at(int x, int y) const {
    const unsigned char* p = pixels.get() + (static_cast<std::size_t>(y) * width + x) * 3;
    return {p[0], p[1], p[2]};
  }
};

// The picture as a person gets it: encoded as PNG, then decoded.
Decoded decode(const std::string& png) {
  Decoded d;
  int channels = 0;
  d.pixels.reset(stbi_load_from_memory(reinterpret_cast<const unsigned char*>(png.data()),
                                       static_cast<int>(png.size()), &d.width, &d.height, &channels,
                                       3));
  return d;
}

bool same(Rgb a, Rgb b) { return a.r == b.r && a.g == b.g && a.b == b.b; }

// logits (-x0, x0): class 1 exactly where x0 > 0, with confidence growing away from x0 = 0.
std::shared_ptr<Sequential> split_at_zero() {
  auto model = std::make_shared<Sequential>();
  auto linear = model->add(std::make_shared<Linear>(LinearOptions{.in = 2, .out = 2}));
  std::vector<Tensor> p = linear->parameters();
  const float weight[4] = {-1.0f, 0.0f, 1.0f, 0.0f};
  std::copy(weight, weight + 4, p[0].ptr());
  p[1].ptr()[0] = p[1].ptr()[1] = 0.0f;
  return model;
}

Dataset points(std::vector<float> xy, std::vector<std::int32_t> labels) {
  Dataset d;
  d.name = "points";
  d.kind = InputKind::points;
  d.sample_shape = {2};
  d.num_classes = 2;
  d.class_names = {"left", "right"};
  d.values = std::move(xy);
  d.labels = std::move(labels);
  return d;
}

// Argmax of `model` at each (x, y), computed here, apart from the code under test.
std::vector<int> predictions(Module& model, const std::vector<float>& xy) {
  NoGradGuard no_grad;
  model.eval();
  const auto n = static_cast<std::int64_t>(xy.size() / 2);
  const Tensor logits = model.forward(Tensor::from(xy, {n, 2}));
  std::vector<int> out;
  for (std::int64_t i = 0; i < n; ++i) {
    const float* row = logits.ptr() + i * logits.size(1);
    out.push_back(static_cast<int>(std::max_element(row, row + logits.size(1)) - row));
  }
  return out;
}

TEST(ShowBoundaryTest, BackgroundColoursDecodeToTheirClassAndNothingElseDoes) {
  for (std::int64_t k = 0; k < 10; ++k) {
    for (float p : {0.1f, 0.5f, 0.8f, 1.0f}) {
      EXPECT_EQ(background_class(boundary_colour(k, p, 10), 10), k) << "class " << k << " p " << p;
    }
    EXPECT_EQ(background_class(point_colour(k), 10), -1) << k;
  }
  EXPECT_EQ(background_class({255, 255, 255}, 10), -1);
  EXPECT_EQ(background_class({0, 0, 0}, 10), -1);
  EXPECT_EQ(background_class({60, 60, 60}, 10), -1);
  // A surer prediction gets a stronger tint: further from white.
  const Rgb weak = boundary_colour(0, 0.55f, 2);
  const Rgb strong = boundary_colour(0, 0.99f, 2);
  EXPECT_LT(strong.r + strong.g + strong.b, weak.r + weak.g + weak.b);
}

TEST(ShowBoundaryTest, FrameHoldsEveryPointAtOneScaleOnBothAxes) {
  const Dataset a = points({-1.0f, 0.0f, 3.0f, 0.5f}, {0, 1});
  const Dataset b = points({0.0f, -2.0f, 1.0f, 1.0f}, {0, 1});
  const BoundaryFrame frame = boundary_frame({&a, &b});
  for (const Dataset* d : {&a, &b}) {
    for (std::size_t i = 0; i < d->values.size(); i += 2) {
      const auto [col, row] = frame.pixel(d->values[i], d->values[i + 1]);
      EXPECT_TRUE(col >= 0 && col < frame.width && row >= 0 && row < frame.height) << i;
    }
  }
  const double x_scale = frame.width / (frame.x_high - frame.x_low);
  const double y_scale = frame.height / (frame.y_high - frame.y_low);
  EXPECT_NEAR(x_scale / y_scale, 1.0, 0.01);
  // at() and pixel() are inverses on pixel centres.
  const auto [x, y] = frame.at(17, 42);
  EXPECT_EQ(frame.pixel(x, y), std::make_pair(17, 42));
}

TEST(ShowBoundaryTest, PixelClassesAreTheModelsPredictions) {
  const auto model = split_at_zero();
  const Dataset test = points({-1.0f, 0.5f, 1.0f, -0.5f}, {0, 1});
  const BoundaryFrame frame = boundary_frame({&test});
  const BoundaryPanel panel = boundary_panel(*model, test, frame, "split");
  const Decoded d = decode(draw_boundaries({panel}, frame).png());
  ASSERT_NE(d.pixels, nullptr);
  const std::vector<int> map = read_class_map(d.rgb(), d.width, frame, 0, 2);
  int seen = 0;
  int sampled = 0;
  for (int row = 3; row < frame.height; row += 11) {
    for (int col = 2; col < frame.width; col += 7) {
      ++sampled;
      const int c = map[static_cast<std::size_t>(row) * frame.width + col];
      if (c < 0) continue;  // a point or the boundary line covers it
      ++seen;
      EXPECT_EQ(c, frame.at(col, row).first > 0.0f ? 1 : 0) << col << "," << row;
    }
  }
  EXPECT_GT(seen, sampled * 9 / 10);
}

TEST(ShowBoundaryTest, PointsSitAtTheirCoordinatesInTheirTrueClassAndErrorsAreRinged) {
  const auto model = split_at_zero();
  // The third point lies left of x0 = 0 but is labelled "right": misclassified.
  const Dataset test = points({-1.0f, 0.8f, 1.0f, -0.6f, -0.5f, -0.8f}, {0, 1, 1});
  const BoundaryFrame frame = boundary_frame({&test});
  const BoundaryPanel panel = boundary_panel(*model, test, frame, "split");
  EXPECT_EQ(panel.predicted, (std::vector<std::int32_t>{0, 1, 0}));
  EXPECT_NEAR(panel.accuracy(), 2.0 / 3.0, 1e-12);
  const Decoded d = decode(draw_boundaries({panel, panel}, frame).png());
  ASSERT_NE(d.pixels, nullptr);
  for (std::size_t p = 0; p < 2; ++p) {
    const auto [x0, y0] = frame.plot_origin(p);
    for (std::size_t i = 0; i < 3; ++i) {
      const auto [col, row] = frame.pixel(test.values[2 * i], test.values[2 * i + 1]);
      const Rgb centre = d.at(x0 + col, y0 + row);
      EXPECT_TRUE(same(centre, point_colour(test.labels[i]))) << "panel " << p << " point " << i;
      const Rgb beside = d.at(x0 + col + 4, y0 + row);
      if (i == 2) {
        EXPECT_TRUE(same(beside, {0, 0, 0})) << "the misclassified point is ringed";
      } else {
        EXPECT_EQ(background_class(beside, 2), test.labels[i]) << "no ring on point " << i;
      }
    }
  }
}

TEST(ShowBoundaryTest, ATrainedRunsPictureAgreesWithItsModelInEveryPanel) {
  TempDir dir("boundary");
  testing::fit(testing::moons_config(2), dir);
  const std::filesystem::path png = dir / "b.png";
  EXPECT_EQ(run_show_boundary({dir / "run", dir / "run" / "last.ckpt", dir / "run"}, png), png);
  const Decoded d = decode(testing::slurp(png));
  ASSERT_NE(d.pixels, nullptr);

  std::filesystem::path file;
  Experiment e = load_trained(dir / "run", file);
  const BoundaryFrame frame = boundary_frame({&e.data.test});
  EXPECT_GE(d.width, frame.plot_origin(2).first + frame.width);
  std::vector<float> xy;
  std::vector<std::pair<int, int>> where;
  for (int row = 1; row < frame.height; row += 13) {
    for (int col = 4; col < frame.width; col += 9) {
      const auto [x, y] = frame.at(col, row);
      xy.insert(xy.end(), {x, y});
      where.emplace_back(col, row);
    }
  }
  const std::vector<int> expected = predictions(*e.model, xy);
  std::set<int> classes(expected.begin(), expected.end());
  EXPECT_EQ(classes.size(), 2u) << "both classes are on the picture";
  for (std::size_t p = 0; p < 3; ++p) {
    const std::vector<int> map = read_class_map(d.rgb(), d.width, frame, p, 2);
    std::size_t seen = 0;
    std::size_t agree = 0;
    for (std::size_t i = 0; i < where.size(); ++i) {
      const int c = map[static_cast<std::size_t>(where[i].second) * frame.width + where[i].first];
      if (c < 0) continue;
      ++seen;
      agree += c == expected[i] ? 1 : 0;
    }
    EXPECT_GT(seen, where.size() * 3 / 4) << "panel " << p;
    EXPECT_EQ(agree, seen) << "panel " << p;
  }
}

TEST(ShowBoundaryTest, RefusesMissingRunsAndInputsThatAreNot2D) {
  TempDir dir("boundary-errors");
  try {
    run_show_boundary({dir / "nothing"}, dir / "x.png");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_TRUE(testing::contains(e.what(), "nothing")) << e.what();
    EXPECT_TRUE(testing::contains(e.what(), "no such run")) << e.what();
  }
  nlohmann::json config = testing::moons_config(1);
  config["data"] = {{"name", "loans"}, {"train_size", 200}, {"test_size", 50}};
  testing::fit(config, dir);
  try {
    run_show_boundary({dir / "run"}, dir / "x.png");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_TRUE(testing::contains(e.what(), (dir / "run").string())) << e.what();
    EXPECT_TRUE(testing::contains(e.what(), "2-D")) << e.what();
    EXPECT_TRUE(testing::contains(e.what(), "inputs are [")) << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "x.png"));
}

class ShowBoundaryCliTest : public testing::CliTest {};

TEST_F(ShowBoundaryCliTest, DrawsRunsAndRefusesBadArgumentsWithExitTwo) {
  const nlohmann::json config = testing::moons_config(1);
  ASSERT_EQ(dither("train " + config_file(config) + " --quiet --out " + quoted(run("a"))).status,
            0);
  const std::filesystem::path png = run("pair.png");
  const testing::Outcome ok = dither("show --boundary " + quoted(run("a")) + " " +
                                     quoted(run("a")) + " --out " + quoted(png));
  EXPECT_EQ(ok.status, 0) << ok.err;
  EXPECT_TRUE(testing::contains(ok.out, "pair.png")) << ok.out;
  EXPECT_EQ(testing::slurp(png).substr(1, 3), "PNG");

  for (const std::string& bad :
       {"show --boundary " + quoted(run("missing")), std::string("show"),
        "show " + config_file(config) + " --boundary " + quoted(run("a"))}) {
    const testing::Outcome r = dither(bad);
    EXPECT_EQ(r.status, 2) << bad << "\n" << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

}  // namespace
}  // namespace dither
