// Idempotent writes: a write carrying a key records its response in the same transaction;
// a replay with the same key and request returns that response and writes nothing.
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <string>
#include <string_view>

#include "memd/status.h"
#include "store/store.h"

namespace memd::engine {

// The request fingerprint stored with a key: SHA-256 (hex) over the operation name and the
// canonical JSON of the request.
std::string RequestHash(std::string_view operation, const boost::json::value& request);

// Inside a write transaction: if key is empty, runs body. Otherwise returns the recorded
// response for (key, request_hash) without running body (*replayed = true), Conflict if the
// key was used for another request, or runs body and records its response.
Status RunIdempotent(store::WriteTxn& txn, const std::string& key, const std::string& request_hash,
                     Timestamp now, const std::function<Result<boost::json::value>()>& body,
                     boost::json::value* response, bool* replayed);

}  // namespace memd::engine
