#include <gtest/gtest.h>
#include <stb/stb_image.h>

#include <array>
#include <cmath>
#include <memory>
#include <string>

#include "core/error.h"
#include "run_testing.h"
#include "train/show.h"

namespace dither {
namespace {

struct Decoded {
  int width = 0, height = 0;
  std::unique_ptr<unsigned char, void (*)(void*)> pixels{nullptr, stbi_image_free};
  int grey(int x, int y) const { return pixels.get()[(y * width + x) * 3]; }
};

Decoded decode(const std::string& png) {
  Decoded d;
  int channels = 0;
  d.pixels.reset(stbi_load_from_memory(reinterpret_cast<const unsigned char*>(png.data()),
                                       static_cast<int>(png.size()), &d.width, &d.height, &channels,
                                       3));
  return d;
}

Batch constant_images(float value, std::int64_t n) {
  Batch b;
  b.inputs = Tensor::full({n, 1, 28, 28}, value);
  b.targets = Tensor::zeros({n});
  b.num_classes = 10;
  return b;
}

InputInfo image_info() {
  InputInfo info;
  info.kind = InputKind::image;
  info.sample_shape = {1, 28, 28};
  info.low = 0.0f;
  info.high = 1.0f;
  info.num_classes = 10;
  return info;
}

TEST(ShowTest, DrawsOneRowPerStageAndOneColumnPerSampleAtTheirValues) {
  const std::vector<std::pair<std::string, Batch>> stages = {{"input", constant_images(0.0f, 4)},
                                                             {"0 x", constant_images(1.0f, 4)}};
  const Decoded one = decode(draw_stages(stages, image_info(), {}, 2));
  const Decoded three = decode(
      draw_stages({stages[0], stages[1], {"1 y", constant_images(0.5f, 4)}}, image_info(), {}, 4));
  ASSERT_NE(one.pixels, nullptr);
  ASSERT_NE(three.pixels, nullptr);
  EXPECT_GT(three.width, one.width);    // more samples, more columns
  EXPECT_GT(three.height, one.height);  // more stages, more rows
  // The first image of each row is drawn at its grey level (images zoom 3x: 84 px rows).
  const int x = 190 + 40;
  const int row = (three.height - 6) / 3;
  EXPECT_EQ(three.grey(x, 6 + 40), 0);
  EXPECT_EQ(three.grey(x, 6 + row + 40), 255);
  EXPECT_EQ(three.grey(x, 6 + 2 * row + 40), 128);
}

TEST(ShowTest, DrawsTablesAsHeatMaps) {
  InputInfo table;
  table.kind = InputKind::tabular;
  table.sample_shape = {3};
  Batch b;
  b.inputs = Tensor::from({-1, 0, 1, 1, 0, -1}, {2, 3});
  b.targets = Tensor::from({0, 1}, {2});
  const Decoded d = decode(draw_stages({{"input", b}}, table, {"no", "yes"}, 8));
  ASSERT_NE(d.pixels, nullptr);
}

TEST(ShowTest, DrawsSequencesAsCurvesWithThePaddingShaded) {
  InputInfo seq;
  seq.kind = InputKind::sequence;
  seq.sample_shape = {20, 1};
  Batch b;
  b.inputs = Tensor::empty({2, 20, 1});
  for (std::int64_t i = 0; i < 40; ++i) b.inputs.ptr()[i] = std::sin(0.5f * static_cast<float>(i));
  b.targets = Tensor::from({0, 1}, {2});
  b.lengths = Tensor::from({10, 20}, {2});
  const Decoded d = decode(draw_stages({{"input", b}, {"0 x", b}}, seq, {"a", "b"}, 8));
  ASSERT_NE(d.pixels, nullptr);
  // Plots are 200 px wide from x = 190 (and 206 px apart), 72 px high from y = 6: near the top
  // right, sample 0 (length 10 of 20) shows its padding background, sample 1 (full) is white.
  EXPECT_EQ(d.grey(190 + 190, 8), 232);
  EXPECT_EQ(d.grey(190 + 206 + 190, 8), 255);
  EXPECT_EQ(d.width, 190 + 2 * 206 + 6);
  Batch wide = b;  // more features than curves can tell apart: a heat map instead
  wide.inputs = Tensor::zeros({2, 20, 9});
  seq.sample_shape = {20, 9};
  EXPECT_NE(decode(draw_stages({{"input", wide}}, seq, {}, 8)).width, d.width);
}

TEST(ShowTest, DrawsTokensWithTheMaskedPositionsMarked) {
  InputInfo tokens;
  tokens.kind = InputKind::tokens;
  tokens.sample_shape = {5};
  tokens.mask_id = 2;
  const std::vector<std::string> vocabulary = {"<pad>", "<unk>", "<mask>", "a", "b", "\xC3\xA9"};
  Batch clean;
  clean.inputs = Tensor::from({3, 4, 5, 0, 0}, {1, 5});
  clean.targets = Tensor::from({0}, {1});
  clean.lengths = Tensor::from({3}, {1});
  Batch masked = clean;
  masked.inputs = Tensor::from({3, 2, 4, 0, 0}, {1, 5});  // b masked, é replaced by b
  const Decoded d = decode(
      draw_stages({{"input", clean}, {"0 token_mask", masked}}, tokens, {"x"}, 8, vocabulary));
  ASSERT_NE(d.pixels, nullptr);
  // Token t of sample 0 sits at x = 6 + 10 t; panel 0's line at y = 38, panel 1's 39 px lower.
  auto rgb = [&](int x, int y) {
    const unsigned char* p = d.pixels.get() + (y * d.width + x) * 3;
    return std::array<int, 3>{p[0], p[1], p[2]};
  };
  EXPECT_EQ(rgb(6 + 10 + 8, 38 + 11), (std::array<int, 3>{255, 255, 255}));      // unchanged
  EXPECT_EQ(rgb(6 + 10 + 8, 38 + 39 + 11), (std::array<int, 3>{235, 90, 80}));   // masked
  EXPECT_EQ(rgb(6 + 20 + 8, 38 + 39 + 11), (std::array<int, 3>{250, 185, 90}));  // replaced
  EXPECT_EQ(rgb(6 + 8, 38 + 39 + 11), (std::array<int, 3>{255, 255, 255}));      // kept
}

TEST(ShowTest, WritesThePictureOfAConfigsHooks) {
  testing::TempDir dir("show");
  nlohmann::json config = testing::moons_config(1);
  config["noise"] = nlohmann::json::parse(
      R"([{"type": "gaussian", "sigma": 0.3}, {"type": "fgsm", "eps": 0.1}])");
  testing::write_text(dir / "moons.json", config.dump());
  ShowRequest request;
  request.config_path = (dir / "moons.json").string();
  request.out = dir / "picture.png";
  EXPECT_EQ(run_show(request), dir / "picture.png");
  const Decoded d = decode(testing::slurp(dir / "picture.png"));
  ASSERT_NE(d.pixels, nullptr);
  EXPECT_GT(d.height, 4 * 8 * 12);  // input, gaussian, fgsm and its adversarial view
  request.samples = 0;
  EXPECT_THROW(run_show(request), ConfigError);
}

TEST(ShowTest, WritesThePictureOfTokenAndSequenceHooks) {
  testing::TempDir dir("show-sequences");
  const nlohmann::json words = nlohmann::json::parse(R"({
    "data": {"name": "words", "per_language": 50, "max_length": 10},
    "model": {"layers": [{"type": "embedding", "num_embeddings": 64, "dim": 4},
                         {"type": "lstm", "hidden": 4}, {"type": "linear", "out": 5}]},
    "noise": [{"type": "token_mask", "rate": 0.3}]
  })");
  const nlohmann::json waves = nlohmann::json::parse(R"({
    "data": {"name": "waveforms", "train_size": 40, "test_size": 10},
    "model": {"layers": [{"type": "lstm", "hidden": 4}, {"type": "linear", "out": 4}]},
    "noise": [{"type": "time_mask"}, {"type": "temporal_dropout"}]
  })");
  for (const auto& [name, config] : {std::pair{"words", words}, {"waves", waves}}) {
    testing::write_text(dir / (std::string(name) + ".json"), config.dump());
    ShowRequest request;
    request.config_path = (dir / (std::string(name) + ".json")).string();
    request.out = dir / (std::string(name) + ".png");
    run_show(request);
    const Decoded d = decode(testing::slurp(request.out));
    ASSERT_NE(d.pixels, nullptr) << name;
    EXPECT_GT(d.height, 100) << name;
  }
}

}  // namespace
}  // namespace dither
