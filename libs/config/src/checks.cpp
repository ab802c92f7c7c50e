#include "loader.hpp"

namespace ovs::config::detail {

namespace {

// `later` must be at least (or, when `strictly`, more than) `earlier`.
void check_order(const load_context& ctx,
                 const std::string& earlier_key,
                 millis earlier,
                 const std::string& later_key,
                 millis later,
                 bool strictly)
{
    bool ok = strictly ? later > earlier : later >= earlier;
    if (!ok) {
        ctx.fail(later_key,
                 ctx.line_of(later_key),
                 std::string(strictly ? "more than " : "at least ") + earlier_key + " (" +
                     std::to_string(earlier.count()) + ")",
                 "'" + std::to_string(later.count()) + "'");
    }
}

void check_secret(const load_context& ctx,
                  const std::string& key,
                  const std::string& value,
                  const char* env_name)
{
    if (!value.empty()) {
        return;
    }
    int line = ctx.line_of(key);
    ctx.fail(key,
             line,
             std::string("a non-empty value here or in the environment variable ") + env_name,
             line > 0 ? "an empty value" : "nothing");
}

}  // namespace

void check_relations(const load_context& ctx, const config& cfg)
{
    check_order(ctx,
                "redis.reconnect_min_ms",
                cfg.store.redis.reconnect_min,
                "redis.reconnect_max_ms",
                cfg.store.redis.reconnect_max,
                false);
    // A peer is declared dead only after several heartbeats could have come.
    check_order(ctx,
                "link.heartbeat_interval_ms",
                cfg.link.heartbeat_interval,
                "link.heartbeat_timeout_ms",
                cfg.link.heartbeat_timeout,
                true);
    check_order(ctx,
                "link.reconnect_min_ms",
                cfg.link.reconnect_min,
                "link.reconnect_max_ms",
                cfg.link.reconnect_max,
                false);
    check_order(ctx,
                "gateway.poll_interval_ms",
                cfg.gateway.poll_interval,
                "gateway.poll_backoff_max_ms",
                cfg.gateway.poll_backoff_max,
                false);
    check_order(ctx,
                "gateway.outputs_probe_interval_ms",
                cfg.gateway.outputs_probe_interval,
                "gateway.outputs_timeout_ms",
                cfg.gateway.outputs_timeout,
                true);
    // A kick is answered after the gateway's first DELETE to OME, which may
    // take up to ome.api.timeout_ms and still succeed: the room must wait
    // longer than that, or a slow success reads as a failure.
    check_order(ctx,
                "ome.api.timeout_ms",
                cfg.ome.api.timeout,
                "link.request_timeout_ms",
                cfg.link.request_timeout,
                true);
}

void check_required_secrets(const load_context& ctx, const config& cfg, secrets_for who)
{
    check_secret(ctx, "link.secret", cfg.link.secret, env_link_secret);
    if (cfg.link.secret.size() < min_link_secret_bytes) {
        // The handshake is only as strong as this secret. Its length is
        // fine to say; its value never is.
        ctx.fail("link.secret",
                 ctx.line_of("link.secret"),
                 "at least " + std::to_string(min_link_secret_bytes) +
                     " characters (e.g. the output of `openssl rand -hex 32`)",
                 "a hidden value of " + std::to_string(cfg.link.secret.size()) + " characters");
    }
    // Optional (room service), but a short moderator secret could be guessed.
    const auto& mod = cfg.room.moderator_secret;
    if (who != secrets_for::gateway && !mod.empty() && mod.size() < 16) {
        const int line = ctx.line_of("room.moderator_secret");
        ctx.fail("room.moderator_secret",
                 line,
                 std::string("at least 16 characters (here or in ") + env_moderator_secret + ")",
                 "a hidden value of " + std::to_string(mod.size()) + " characters");
    }
    if (who != secrets_for::gateway && cfg.store.kind == store_kind::redis) {
        check_secret(ctx, "redis.url", cfg.store.redis.url, env_redis_url);
        // The full parse is the room service's (libs/redis); the scheme is
        // checked here so --check-config catches the common slip. The value
        // itself may hold a password: never echoed.
        const auto& url = cfg.store.redis.url;
        if (url.rfind("redis://", 0) != 0 || url.size() == 8) {
            ctx.fail(
                "redis.url",
                ctx.line_of("redis.url"),
                "a redis://host[:port][/db] URL (here or in " + std::string(env_redis_url) + ")",
                "a value of another form (not shown: it may hold a password)");
        }
    }
    if (who == secrets_for::room) {
        return;
    }
    check_secret(ctx, "ome.api.access_token", cfg.ome.api.access_token, env_ome_api_token);
    // In both modes: open mode needs no token per seat, but a webhook that
    // anyone could forge would still open and close seats' streams.
    check_secret(ctx, "ome.webhook_secret", cfg.ome.webhook_secret, env_webhook_secret);
}

}  // namespace ovs::config::detail
