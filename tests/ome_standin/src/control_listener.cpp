// The stand-in's control port on libs/net: a test tells it that encoders
// publish and players play, switches the API's mode, reads the logs.
#include "standin_impl.hpp"

#include <nlohmann/json.hpp>

namespace ovs::ome_standin {

using json = nlohmann::json;

namespace {

struct control_reply {
    http::status status = http::status::ok;
    json body;
};

control_reply bad_request(std::string const& text)
{
    return {http::status::bad_request, json{{"error", text}}};
}

std::optional<std::uint64_t> find_publisher_for(impl_ptr const& self, json const& body)
{
    if (auto const id = body.find("id"); id != body.end() && id->is_number_unsigned()) {
        return id->get<std::uint64_t>();
    }
    if (auto const s = body.find("stream"); s != body.end() && s->is_string()) {
        std::string const vhost = self->vhost_or_default(body.value("vhost", std::string()));
        std::string const app = self->app_or_default(body.value("app", std::string()));
        if (auto const* p = self->state.find_stream(vhost, app, s->get<std::string>()))
            return p->id;
    }
    return std::nullopt;
}

asio::awaitable<control_reply> handle_control(impl_ptr self,
                                              std::string method,
                                              std::string path,
                                              std::string text)
{
    json body = json::object();
    if (!text.empty()) {
        body = json::parse(text, nullptr, false);
        if (body.is_discarded()) co_return bad_request("body is not valid JSON");
    }
    if (method == "GET") {
        if (path == "/control/log")
            co_return control_reply{http::status::ok, to_json(self->api_log_entries())};
        if (path == "/control/webhooks")
            co_return control_reply{http::status::ok, to_json(self->webhook_log)};
        if (path == "/control/health") {
            co_return control_reply{
                http::status::ok,
                json{{"api_port", self->api_port}, {"control_port", self->control_port}}};
        }
        if (path == "/control/streams") {
            json streams = json::array();
            for (auto const& p : self->state.publishers()) {
                streams.push_back(json{{"id", p.id},
                                       {"vhost", p.vhost},
                                       {"app", p.app},
                                       {"stream", p.stream},
                                       {"url", p.url},
                                       {"client_port", p.port}});
            }
            json players = json::array();
            for (auto const& v : self->state.players()) {
                players.push_back(json{
                    {"id", v.id}, {"stream", v.stream}, {"url", v.url}, {"client_port", v.port}});
            }
            co_return control_reply{http::status::ok,
                                    json{{"streams", streams}, {"players", players}}};
        }
        co_return control_reply{http::status::not_found, json{{"error", "no such control route"}}};
    }
    if (method != "POST")
        co_return control_reply{http::status::method_not_allowed,
                                json{{"error", "use GET or POST"}}};
    if (path == "/control/publish") {
        auto parsed = parse_publish_request(body);
        if (auto const* error = std::get_if<std::string>(&parsed)) co_return bad_request(*error);
        publish_outcome const o =
            co_await run_publish(self, std::get<publish_request>(std::move(parsed)));
        co_return control_reply{http::status::ok, to_json(o)};
    }
    if (path == "/control/unpublish") {
        auto const id = find_publisher_for(self, body);
        if (!id)
            co_return control_reply{http::status::not_found,
                                    json{{"error", "no such live publisher"}}};
        bool const done = co_await run_unpublish(self, *id);
        co_return control_reply{done ? http::status::ok : http::status::not_found,
                                json{{"ok", done}, {"id", *id}}};
    }
    if (path == "/control/play") {
        auto parsed = parse_play_request(body);
        if (auto const* error = std::get_if<std::string>(&parsed)) co_return bad_request(*error);
        play_outcome const o = co_await run_play(self, std::get<play_request>(std::move(parsed)));
        co_return control_reply{http::status::ok, to_json(o)};
    }
    if (path == "/control/stop_play") {
        auto const id = body.find("id");
        if (id == body.end() || !id->is_number_unsigned())
            co_return bad_request("field 'id' is required");
        bool const done = co_await run_stop_play(self, id->get<std::uint64_t>());
        co_return control_reply{done ? http::status::ok : http::status::not_found,
                                json{{"ok", done}}};
    }
    if (path == "/control/down" || path == "/control/up" || path == "/control/hang" ||
        path == "/control/error") {
        api_mode const m = path == "/control/down"    ? api_mode::down
                           : path == "/control/up"    ? api_mode::normal
                           : path == "/control/error" ? api_mode::error
                                                      : api_mode::hang;
        self->set_mode(m);
        if (m == api_mode::normal) self->delay = std::chrono::milliseconds(0);
        co_return control_reply{http::status::ok, json{{"ok", true}}};
    }
    if (path == "/control/slow") {
        auto const ms = body.find("ms");
        if (ms == body.end() || !ms->is_number_unsigned())
            co_return bad_request("field 'ms' (unsigned) is required");
        self->delay = std::chrono::milliseconds(ms->get<std::uint64_t>());
        co_return control_reply{http::status::ok, json{{"ok", true}}};
    }
    if (path == "/control/clear") {
        self->api_log.clear();
        self->webhook_log.clear();
        co_return control_reply{http::status::ok, json{{"ok", true}}};
    }
    co_return control_reply{http::status::not_found, json{{"error", "no such control route"}}};
}

class control_service final : public net::http_service {
public:
    explicit control_service(std::weak_ptr<ome_standin::impl> standin)
        : standin_(std::move(standin))
    {
    }

    asio::awaitable<net::reply> handle(net::request req, net::peer_info) override
    {
        return answer(standin_.lock(), std::move(req));
    }

private:
    static asio::awaitable<net::reply> answer(impl_ptr self, net::request req)
    {
        if (!self) {
            co_return net::error_response(
                http::status::service_unavailable, "stopped", "The stand-in has stopped");
        }
        std::string const target(req.target());
        control_reply const reply = co_await handle_control(self,
                                                            std::string(req.method_string()),
                                                            target.substr(0, target.find('?')),
                                                            std::move(req.body()));
        co_return net::make_response(reply.status, "application/json", reply.body.dump());
    }

    std::weak_ptr<ome_standin::impl> standin_;
};

}  // namespace

void ome_standin::impl::open_control()
{
    net::server_options o;
    o.service = "ome-standin control";
    o.server_header = "ovenspace-ome-standin";
    o.address = cfg.control_address;
    o.port = cfg.control_port;
    o.max_body_bytes = max_body_bytes;
    o.request_timeout = std::chrono::seconds(30);
    o.write_timeout = std::chrono::seconds(10);
    o.ws.max_sessions = 0;
    control =
        std::make_unique<net::server>(ex, o, std::make_shared<control_service>(weak_from_this()));
    control->start();
    control_port = control->local_endpoint().port();
}

}  // namespace ovs::ome_standin
