// Images with their layers, stored once however many samples built them, and the pairs of
// A/B sessions.
#include "store/store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

namespace bb {

bool Store::has_image(const std::string& image_id) {
  SQLite::Statement query(*db_, "SELECT 1 FROM images WHERE image_id = ?");
  query.bind(1, image_id);
  return query.executeStep();
}

void Store::add_image(const ImageRecord& image) {
  SQLite::Transaction transaction(*db_, SQLite::TransactionBehavior::IMMEDIATE);
  add_image_in_transaction(image);
  transaction.commit();
}

void Store::add_image_in_transaction(const ImageRecord& image) {
  SQLite::Statement insert(*db_,
                           "INSERT OR IGNORE INTO images (image_id, size_bytes, compressed_bytes, "
                           "pyc_count, pyc_bytes) VALUES (?,?,?,?,?)");
  insert.bind(1, image.image_id);
  insert.bind(2, image.size_bytes);
  insert.bind(3, image.compressed_bytes);
  insert.bind(4, image.pyc_count);
  insert.bind(5, image.pyc_bytes);
  if (insert.exec() > 0) {
    SQLite::Statement layer(*db_,
                            "INSERT INTO layers (image_id, position, created_by, size_bytes, "
                            "compressed_bytes, pyc_count, pyc_bytes) VALUES (?,?,?,?,?,?,?)");
    for (const auto& l : image.layers) {
      layer.bind(1, image.image_id);
      layer.bind(2, l.index);
      layer.bind(3, l.created_by);
      layer.bind(4, l.size_bytes);
      layer.bind(5, l.compressed_bytes);
      layer.bind(6, l.pyc_count);
      layer.bind(7, l.pyc_bytes);
      layer.exec();
      layer.reset();
    }
  }
}

std::optional<ImageRecord> Store::image(const std::string& image_id) {
  SQLite::Statement query(*db_,
                          "SELECT size_bytes, compressed_bytes, pyc_count, pyc_bytes FROM images "
                          "WHERE image_id = ?");
  query.bind(1, image_id);
  if (!query.executeStep()) return std::nullopt;
  ImageRecord image;
  image.image_id = image_id;
  image.size_bytes = query.getColumn(0).getInt64();
  image.compressed_bytes = query.getColumn(1).getInt64();
  image.pyc_count = query.getColumn(2).getInt64();
  image.pyc_bytes = query.getColumn(3).getInt64();
  SQLite::Statement layers(*db_,
                           "SELECT position, created_by, size_bytes, compressed_bytes, pyc_count, "
                           "pyc_bytes FROM layers WHERE image_id = ? ORDER BY position");
  layers.bind(1, image_id);
  while (layers.executeStep()) {
    LayerStats layer;
    layer.index = layers.getColumn(0).getInt();
    layer.created_by = layers.getColumn(1).getString();
    layer.size_bytes = layers.getColumn(2).getInt64();
    layer.compressed_bytes = layers.getColumn(3).getInt64();
    layer.pyc_count = layers.getColumn(4).getInt64();
    layer.pyc_bytes = layers.getColumn(5).getInt64();
    image.layers.push_back(layer);
  }
  return image;
}

namespace {
// A row of SELECT ab_id, baseline_sample_id, candidate_sample_id, first.
PairRecord pair_row(SQLite::Statement& query) {
  return {query.getColumn(0).getString(), query.getColumn(1).getInt64(),
          query.getColumn(2).getInt64(), query.getColumn(3).getString()};
}
}  // namespace

void Store::add_pair(const PairRecord& pair) {
  SQLite::Statement insert(*db_,
                           "INSERT INTO pairs (ab_id, baseline_sample_id, candidate_sample_id, "
                           "first) VALUES (?,?,?,?)");
  insert.bind(1, pair.ab_id);
  insert.bind(2, pair.baseline_sample_id);
  insert.bind(3, pair.candidate_sample_id);
  insert.bind(4, pair.first);
  insert.exec();
}

std::vector<PairRecord> Store::pairs(const std::vector<std::int64_t>& baseline_runs,
                                     const std::vector<std::int64_t>& candidate_runs) {
  std::vector<PairRecord> result;
  SQLite::Statement query(*db_,
                          "SELECT p.ab_id, p.baseline_sample_id, p.candidate_sample_id, p.first "
                          "FROM pairs p JOIN samples b ON b.id = p.baseline_sample_id JOIN "
                          "samples c ON c.id = p.candidate_sample_id WHERE b.run_id = ? AND "
                          "c.run_id = ? ORDER BY p.baseline_sample_id");
  for (auto base : baseline_runs) {
    for (auto cand : candidate_runs) {
      query.reset();
      query.bind(1, base);
      query.bind(2, cand);
      while (query.executeStep()) result.push_back(pair_row(query));
    }
  }
  return result;
}

std::vector<PairRecord> Store::all_pairs() {
  std::vector<PairRecord> result;
  SQLite::Statement query(*db_,
                          "SELECT ab_id, baseline_sample_id, candidate_sample_id, first FROM "
                          "pairs ORDER BY baseline_sample_id");
  while (query.executeStep()) result.push_back(pair_row(query));
  return result;
}

}  // namespace bb
