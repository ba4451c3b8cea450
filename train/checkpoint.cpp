#include "train/checkpoint.h"

#include <zlib.h>

#include <cstring>
#include <string>

#include "core/error.h"
#include "train/atomic_file.h"

namespace dither {
namespace {

constexpr char kMagic[8] = {'D', 'I', 'T', 'H', 'E', 'R', 'C', 'K'};
constexpr std::size_t kPreamble = 8 + 4 + 4 + 8;

template <class T>
void put(std::string& out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));  // the supported targets are little-endian
  out.append(bytes, sizeof(T));
}

template <class T>
T take(const std::string& in, std::size_t offset) {
  T value;
  std::memcpy(&value, in.data() + offset, sizeof(T));
  return value;
}

std::uint32_t crc_of(const char* data, std::size_t size) {
  uLong crc = crc32(0L, Z_NULL, 0);
  while (size > 0) {
    const auto chunk = static_cast<uInt>(std::min<std::size_t>(size, 1u << 30));
    crc = crc32(crc, reinterpret_cast<const Bytef*>(data), chunk);
    data += chunk;
    size -= chunk;
  }
  return static_cast<std::uint32_t>(crc);
}

}  // namespace

void save_checkpoint(const std::filesystem::path& path, const Checkpoint& checkpoint) {
  nlohmann::json index = nlohmann::json::array();
  std::int64_t offset = 0;
  for (const auto& [name, t] : checkpoint.tensors) {
    index.push_back({{"name", name}, {"shape", t.shape()}, {"offset", offset}});
    offset += t.numel();
  }
  const std::string header = nlohmann::json{{"meta", checkpoint.meta}, {"tensors", index}}.dump();
  std::string out;
  out.reserve(kPreamble + header.size() + static_cast<std::size_t>(offset) * 4 + 4);
  out.append(kMagic, sizeof(kMagic));
  put<std::uint32_t>(out, kCheckpointVersion);
  put<std::uint32_t>(out, 0);
  put<std::uint64_t>(out, header.size());
  out += header;
  for (const auto& [name, t] : checkpoint.tensors) {
    out.append(reinterpret_cast<const char*>(t.ptr()), static_cast<std::size_t>(t.numel()) * 4);
  }
  put<std::uint32_t>(out, crc_of(out.data(), out.size()));
  write_file_atomic(path, out);
}

Checkpoint load_checkpoint(const std::filesystem::path& path) {
  const std::string in = read_file(path);
  const std::string where = path.string() + ": ";
  if (in.size() < kPreamble + 4 || std::memcmp(in.data(), kMagic, sizeof(kMagic)) != 0) {
    throw ConfigError(where + "not a dither checkpoint (bad magic or too short)");
  }
  const auto version = take<std::uint32_t>(in, 8);
  if (version != kCheckpointVersion) {
    throw ConfigError(str(where, "checkpoint format version ", version,
                          " is not supported (this build reads ", kCheckpointVersion, ")"));
  }
  const auto header_size = take<std::uint64_t>(in, 16);
  if (header_size > in.size() - kPreamble - 4)
    throw ConfigError(where + "truncated checkpoint (header)");
  if (take<std::uint32_t>(in, in.size() - 4) != crc_of(in.data(), in.size() - 4)) {
    throw ConfigError(where + "checksum mismatch: the file is corrupt or truncated");
  }
  Checkpoint checkpoint;
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(in.substr(kPreamble, header_size));
    checkpoint.meta = header.at("meta");
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError(where + "unreadable checkpoint header: " + e.what());
  }
  const std::size_t data_start = kPreamble + header_size;
  const std::size_t data_floats = (in.size() - 4 - data_start) / 4;
  try {
    for (const auto& entry : header.at("tensors")) {
      const auto shape = entry.at("shape").get<Shape>();
      const auto offset = entry.at("offset").get<std::int64_t>();
      const std::int64_t count = numel(shape);
      if (offset < 0 || count < 0 || static_cast<std::size_t>(offset + count) > data_floats) {
        throw ConfigError(where + "tensor '" + entry.at("name").get<std::string>() +
                          "' lies outside the data");
      }
      Tensor t = Tensor::empty(shape);
      std::memcpy(t.ptr(), in.data() + data_start + static_cast<std::size_t>(offset) * 4,
                  static_cast<std::size_t>(count) * 4);
      checkpoint.tensors.emplace_back(entry.at("name").get<std::string>(), t);
    }
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError(where + "unreadable tensor index: " + e.what());
  }
  return checkpoint;
}

}  // namespace dither
