// Images with their layers, stored once however many samples built them, and the pairs of
// A/B sessions.
#include "store/store.hpp"

#include "store/sql.hpp"

namespace bb {

bool Store::has_image(const std::string& image_id) {
  sql::Statement query(*db_, "SELECT 1 FROM images WHERE image_id = ?");
  query.bind(1, image_id);
  return query.step();
}

void Store::add_image(const ImageRecord& image) {
  sql::Transaction transaction(*db_);
  add_image_in_transaction(image);
  transaction.commit();
}

void Store::add_image_in_transaction(const ImageRecord& image) {
  sql::Statement insert(*db_,
                        "INSERT OR IGNORE INTO images (image_id, size_bytes, compressed_bytes, "
                        "pyc_count, pyc_bytes) VALUES (?,?,?,?,?)");
  insert.bind(1, image.image_id);
  insert.bind(2, image.size_bytes);
  insert.bind(3, image.compressed_bytes);
  insert.bind(4, image.pyc_count);
  insert.bind(5, image.pyc_bytes);
  if (insert.exec() > 0) {
    sql::Statement layer(*db_,
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
  sql::Statement query(*db_,
                       "SELECT size_bytes, compressed_bytes, pyc_count, pyc_bytes FROM images "
                       "WHERE image_id = ?");
  query.bind(1, image_id);
  if (!query.step()) return std::nullopt;
  ImageRecord image;
  image.image_id = image_id;
  image.size_bytes = query.column(0).int64();
  image.compressed_bytes = query.column(1).int64();
  image.pyc_count = query.column(2).int64();
  image.pyc_bytes = query.column(3).int64();
  sql::Statement layers(*db_,
                        "SELECT position, created_by, size_bytes, compressed_bytes, pyc_count, "
                        "pyc_bytes FROM layers WHERE image_id = ? ORDER BY position");
  layers.bind(1, image_id);
  while (layers.step()) {
    LayerStats layer;
    layer.index = layers.column(0).int32();
    layer.created_by = layers.column(1).text();
    layer.size_bytes = layers.column(2).int64();
    layer.compressed_bytes = layers.column(3).int64();
    layer.pyc_count = layers.column(4).int64();
    layer.pyc_bytes = layers.column(5).int64();
    image.layers.push_back(layer);
  }
  return image;
}

namespace {
// A row of SELECT ab_id, baseline_sample_id, candidate_sample_id, first.
PairRecord pair_row(sql::Statement& query) {
  return {query.column(0).text(), query.column(1).int64(), query.column(2).int64(),
          query.column(3).text()};
}
}  // namespace

void Store::add_pair(const PairRecord& pair) {
  sql::Statement insert(*db_,
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
  sql::Statement query(*db_,
                       "SELECT p.ab_id, p.baseline_sample_id, p.candidate_sample_id, p.first "
                       "FROM pairs p JOIN samples b ON b.id = p.baseline_sample_id JOIN "
                       "samples c ON c.id = p.candidate_sample_id WHERE b.run_id = ? AND "
                       "c.run_id = ? ORDER BY p.baseline_sample_id");
  for (auto base : baseline_runs) {
    for (auto cand : candidate_runs) {
      query.reset();
      query.bind(1, base);
      query.bind(2, cand);
      while (query.step()) result.push_back(pair_row(query));
    }
  }
  return result;
}

std::vector<PairRecord> Store::all_pairs() {
  std::vector<PairRecord> result;
  sql::Statement query(*db_,
                       "SELECT ab_id, baseline_sample_id, candidate_sample_id, first FROM "
                       "pairs ORDER BY baseline_sample_id");
  while (query.step()) result.push_back(pair_row(query));
  return result;
}

}  // namespace bb
