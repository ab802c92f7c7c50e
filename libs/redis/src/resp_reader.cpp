#include <ovs/redis/resp_reader.hpp>

#include <hiredis/hiredis.h>
#include <new>

namespace ovs::redis {
namespace {

reply convert(const redisReply* r)
{
    reply out;
    switch (r->type) {
        case REDIS_REPLY_STRING:
            out.kind = reply_kind::string;
            out.text.assign(r->str, r->len);
            break;
        case REDIS_REPLY_STATUS:
            out.kind = reply_kind::status;
            out.text.assign(r->str, r->len);
            break;
        case REDIS_REPLY_ERROR:
            out.kind = reply_kind::error;
            out.text.assign(r->str, r->len);
            break;
        case REDIS_REPLY_INTEGER:
            out.kind = reply_kind::integer;
            out.integer = r->integer;
            break;
        case REDIS_REPLY_ARRAY:
            out.kind = reply_kind::array;
            out.items.reserve(r->elements);
            for (std::size_t i = 0; i < r->elements; ++i)
                out.items.push_back(convert(r->element[i]));
            break;
        default:  // REDIS_REPLY_NIL
            out.kind = reply_kind::nil;
            break;
    }
    return out;
}

}  // namespace

void resp_reader::reader_deleter::operator()(redisReader* r) const
{
    redisReaderFree(r);
}

resp_reader::resp_reader(std::size_t max_buffered)
    : reader_(redisReaderCreate()), max_buffered_(max_buffered)
{
    if (!reader_) throw std::bad_alloc();
}

resp_reader::~resp_reader() = default;

std::size_t resp_reader::buffered() const
{
    return reader_->len - reader_->pos;
}

void resp_reader::feed(std::string_view bytes)
{
    if (failed_ || bytes.empty()) return;
    if (redisReaderFeed(reader_.get(), bytes.data(), bytes.size()) != REDIS_OK) {
        failed_ = true;
        error_ = reader_->errstr[0] ? reader_->errstr : "out of memory";
    }
}

resp_reader::status resp_reader::next(reply& out)
{
    if (failed_) return status::error;
    void* raw = nullptr;
    if (redisReaderGetReply(reader_.get(), &raw) != REDIS_OK) {
        failed_ = true;
        error_ = reader_->errstr;
        return status::error;
    }
    if (raw == nullptr) {
        if (buffered() > max_buffered_) {
            failed_ = true;
            too_large_ = true;
            error_ = "reply too large";
            return status::error;
        }
        return status::need_more;
    }
    std::unique_ptr<redisReply, void (*)(void*)> owned(static_cast<redisReply*>(raw),
                                                       freeReplyObject);
    out = convert(owned.get());
    return status::reply;
}

}  // namespace ovs::redis
