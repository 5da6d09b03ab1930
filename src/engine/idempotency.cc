#include "engine/idempotency.h"

#include "util/hash.h"
#include "util/json.h"

namespace memd::engine {

std::string RequestHash(std::string_view operation, const boost::json::value& request) {
  std::string material(operation);
  material.push_back('\0');
  material += CanonicalJson(request);
  return HexEncode(Sha256(material));
}

Status RunIdempotent(store::WriteTxn& txn, const std::string& key, const std::string& request_hash, Timestamp now,
                     const std::function<Result<boost::json::value>()>& body, boost::json::value* response,
                     bool* replayed) {
  *replayed = false;
  if (key.empty()) {
    MEMD_ASSIGN_OR_RETURN(*response, body());
    return Status::OK();
  }
  if (key.size() > 256) return Status::InvalidArgument("idempotency key is longer than 256 bytes", "idempotency_key");
  MEMD_ASSIGN_OR_RETURN(auto recorded, txn.GetIdempotency(key));
  if (recorded) {
    if (recorded->request_hash != request_hash) {
      return Status::Conflict("idempotency key '" + key +
                              "' was already used for a different request; use a new key for a new request");
    }
    boost::system::error_code ec;
    *response = boost::json::parse(recorded->response, ec);
    if (ec) return Status::Corruption("recorded response for idempotency key '" + key + "' is not valid JSON");
    *replayed = true;
    return Status::OK();
  }
  MEMD_ASSIGN_OR_RETURN(*response, body());
  return txn.PutIdempotency(store::IdempotencyRow{key, request_hash, boost::json::serialize(*response), now});
}

}  // namespace memd::engine
