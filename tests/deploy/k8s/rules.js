// OvenSpace's rules for its rendered Kubernetes objects (see validate.js).
// Each rule group pushes readable problems onto ctx.problems; none throws
// for an ordinary finding.
'use strict';

const YAML = require('yaml');

const NAMESPACE = 'ovenspace';
const ROOM = 'ovenspace-room';
const GATEWAY = 'ovenspace-gateway';
const OME = 'ovenspace-ome';
// With replicas (issue 12): the shared seat store and the OME edges.
const REDIS = 'ovenspace-redis';
const EDGE = 'ovenspace-ome-edge';
const SERVICES = [ROOM, GATEWAY, OME];
// Services that serve our HTTP probes; OME has none without its API token.
const HTTP_PROBED = [ROOM, GATEWAY];
const CONFIG_MAP = 'ovenspace-config';
const CONFIG_KEY = 'ovenspace.yaml';
// Each pod gets only the secrets it uses (issue 10): the room service only
// the link secret (and with store: redis the Redis URL), OME and its edges
// only the API token and webhook secret, Redis only its own config.
const LINK_SECRET = 'ovenspace-link-secret';
const OME_SECRETS = 'ovenspace-ome-secrets';
const REDIS_SECRET = 'ovenspace-redis';
const OUR_SECRETS = [LINK_SECRET, OME_SECRETS, REDIS_SECRET];
const SECRET_VARS = ['OVENSPACE_LINK_SECRET', 'OVENSPACE_OME_API_TOKEN', 'OVENSPACE_WEBHOOK_SECRET', 'OVENSPACE_REDIS_URL'];
const OME_VARS = ['OVENSPACE_OME_API_TOKEN', 'OVENSPACE_WEBHOOK_SECRET'];

const store_of = (cfg) => ((cfg || {}).store === 'redis' ? 'redis' : 'memory');

// What each workload may read, by the store the config chooses.
function wanted_secrets(cfg) {
    const redis = store_of(cfg) === 'redis';
    return {
        [ROOM]: redis
            ? { secrets: [LINK_SECRET, REDIS_SECRET], vars: ['OVENSPACE_LINK_SECRET', 'OVENSPACE_REDIS_URL'] }
            : { secrets: [LINK_SECRET], vars: ['OVENSPACE_LINK_SECRET'] },
        [GATEWAY]: { secrets: [LINK_SECRET, OME_SECRETS], vars: SECRET_VARS.filter((v) => v !== 'OVENSPACE_REDIS_URL') },
        [OME]: { secrets: [OME_SECRETS], vars: OME_VARS },
        [EDGE]: { secrets: [OME_SECRETS], vars: OME_VARS },
        [REDIS]: { secrets: [REDIS_SECRET], vars: [] },
    };
}
// Workloads that read their secrets through OME's own variables (envFrom),
// so the variable names are not checked one by one.
const ENV_FROM_SECRETS = [OME, EDGE];

// ---------------------------------------------------------------- helpers

const of_kind = (ctx, kind) => ctx.objects.filter((o) => o.kind === kind);
const named = (ctx, kind, name) => of_kind(ctx, kind).find((o) => o.metadata.name === name);
// Our pods come from Deployments and StatefulSets (gateways and edges with
// stable names, issue 12): both are "workloads" here.
const WORKLOAD_KINDS = ['Deployment', 'StatefulSet'];
const workloads = (ctx) => ctx.objects.filter((o) => WORKLOAD_KINDS.includes(o.kind));
const workload = (ctx, name) => workloads(ctx).find((o) => o.metadata.name === name);
const replicas_of = (w) => (w.spec.replicas === undefined ? 1 : w.spec.replicas);
const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';

function labels_match(selector, labels) {
    if (!selector) return false;
    const entries = Object.entries(selector);
    return entries.length > 0 && entries.every(([k, v]) => (labels || {})[k] === v);
}

// A LabelSelector (matchLabels only: we use no matchExpressions).
function selector_matches(sel, labels) {
    if (!sel) return false;
    if (sel.matchExpressions && sel.matchExpressions.length) return false;
    const ml = sel.matchLabels || {};
    return Object.entries(ml).every(([k, v]) => (labels || {})[k] === v);
}

const pod_labels = (deploy) => deploy.spec.template.metadata.labels || {};
const containers = (deploy) => deploy.spec.template.spec.containers || [];
// The names of a StatefulSet's pods (name-0, name-1, ...); none for a Deployment.
const pod_names = (w) => (w.kind === 'StatefulSet' ? [...Array(replicas_of(w)).keys()].map((i) => `${w.metadata.name}-${i}`) : []);
// The label sets of a workload's pods: a StatefulSet's pods also carry their
// own name (POD_NAME_LABEL), which a Service may select one pod by.
function pod_label_sets(w) {
    const names = pod_names(w);
    if (!names.length) return [pod_labels(w)];
    return names.map((n) => Object.assign({ [POD_NAME_LABEL]: n }, pod_labels(w)));
}

function container_ports(deploy) {
    const out = [];
    for (const c of containers(deploy))
        for (const p of c.ports || []) out.push({ name: p.name, port: p.containerPort, protocol: p.protocol || 'TCP' });
    return out;
}

// A Service or probe port (number or name) as a container port of the pod.
function resolve_port(deploy, port, protocol) {
    return container_ports(deploy).find(
        (p) => (typeof port === 'number' ? p.port === port : p.name === port) && (!protocol || p.protocol === protocol)
    );
}

// The workloads whose pods a Service selects (exactly one expected).
function selected_workloads(ctx, service) {
    return workloads(ctx).filter((d) => pod_label_sets(d).some((l) => labels_match(service.spec.selector, l)));
}

// The pods of `w` a Service selects: all (a Deployment, or a selector
// without a pod name) or the StatefulSet pods it names.
function selected_pods(service, w) {
    const names = pod_names(w);
    if (!names.length) return null;
    return pod_label_sets(w).filter((l) => labels_match(service.spec.selector, l)).map((l) => l[POD_NAME_LABEL]);
}

const headless = (svc) => svc.spec.clusterIP === 'None';

// Where `host`:`port` leads inside the namespace: a Service (short or .svc
// names), or one StatefulSet pod by its DNS name under its headless
// governing Service (<pod>.<service>[.<namespace>...]). Returns the Service,
// the workload behind it (`deployment`), the container port and, for a
// pod name, `pod`.
function service_target(ctx, host, port) {
    const parts = String(host).split('.');
    const in_ns = (rest) => !rest.length || rest[0] === NAMESPACE;
    let svc = named(ctx, 'Service', parts[0]);
    let pod = null;
    if (svc && !in_ns(parts.slice(1))) svc = null;
    if (!svc && parts.length >= 2) {
        const gov = named(ctx, 'Service', parts[1]);
        if (gov && headless(gov) && in_ns(parts.slice(2))) {
            const sts = workloads(ctx).find(
                (w) => w.kind === 'StatefulSet' && w.spec.serviceName === parts[1] && pod_names(w).includes(parts[0])
            );
            if (!sts) return { error: `no pod '${parts[0]}' of a StatefulSet governed by Service '${parts[1]}'` };
            svc = gov;
            pod = parts[0];
        }
    }
    if (!svc) return { error: `no Service '${host}' in the render` };
    const short = svc.metadata.name;
    if (pod) {
        // A pod's own DNS name reaches its container ports directly, whatever
        // ports the headless Service lists.
        const w = selected_workloads(ctx, svc)[0];
        const target = w && resolve_port(w, port, 'TCP');
        if (!target) return { error: `pod '${pod}' has no container port ${port}` };
        return { service: svc, deployment: w, container_port: target, pod };
    }
    const sp = (svc.spec.ports || []).find((p) => p.port === port);
    if (!sp) return { error: `Service '${short}' has no port ${port}` };
    const deploys = selected_workloads(ctx, svc);
    if (deploys.length !== 1) return { error: `Service '${short}' selects ${deploys.length} workloads, not 1` };
    const target = resolve_port(deploys[0], sp.targetPort === undefined ? sp.port : sp.targetPort, sp.protocol || 'TCP');
    if (!target) return { error: `Service '${short}' port ${port} reaches no container port` };
    return { service: svc, deployment: deploys[0], container_port: target, pod };
}

// The OvenSpace config the pods mount (parsed once; null when missing).
function config_map(ctx) {
    return named(ctx, 'ConfigMap', CONFIG_MAP) || of_kind(ctx, 'ConfigMap').find((c) => c.metadata.name.startsWith(`${CONFIG_MAP}-`));
}
function config_of(ctx) {
    if (!ctx.config) {
        const cm = config_map(ctx);
        if (cm && cm.data && cm.data[CONFIG_KEY]) {
            ctx.config_text = cm.data[CONFIG_KEY];
            ctx.config = YAML.parse(ctx.config_text);
        }
    }
    return ctx.config;
}

function env_value(deploy, ctx, name) {
    for (const c of containers(deploy)) {
        for (const e of c.env || []) if (e.name === name && e.value !== undefined) return e.value;
        for (const ef of c.envFrom || []) {
            if (!ef.configMapRef) continue;
            const cm = named(ctx, 'ConfigMap', ef.configMapRef.name);
            if (cm && cm.data && cm.data[name] !== undefined) return cm.data[name];
        }
    }
    return undefined;
}

// ------------------------------------------------------------ rule groups

const rules = [];
const rule = (name, check) => rules.push({ name, check });

rule('namespace', (ctx) => {
    const ns = named(ctx, 'Namespace', NAMESPACE);
    if (!ns) ctx.problems.push(`Namespace '${NAMESPACE}' missing`);
    else if ((ns.metadata.labels || {})['pod-security.kubernetes.io/enforce'] !== 'restricted')
        ctx.problems.push(`Namespace '${NAMESPACE}': pod-security.kubernetes.io/enforce is not 'restricted'`);
    for (const o of ctx.objects) {
        if (o.kind === 'Namespace') continue;
        if (o.metadata.namespace !== NAMESPACE)
            ctx.problems.push(`${o.kind}/${o.metadata.name}: namespace '${o.metadata.namespace}', not '${NAMESPACE}'`);
    }
});

// How many replicas each part may run, and how it is replaced (issue 12).
// With store: memory the room service keeps the seats in its process: one
// replica, replaced with Recreate (a rolling update would briefly run two,
// each handing out the same seat). With store: redis any number, rolled.
// The gateway: one (Recreate) unless the store is Redis and every room
// replica links to each gateway by name (a StatefulSet; see 'config agrees
// with the Services'). OME's origin and Redis: one, Recreate.
function replica_problems(ctx, d) {
    const name = d.metadata.name;
    const where = `${d.kind}/${name}`;
    const replicas = replicas_of(d);
    const store = store_of(config_of(ctx));
    const out = [];
    const one = (why) => {
        if (replicas !== 1) out.push(`${where}: replicas is ${replicas}, must be 1 (${why})`);
        if (d.kind === 'Deployment' && (!d.spec.strategy || d.spec.strategy.type !== 'Recreate'))
            out.push(`${where}: strategy must be Recreate (never two at once: ${why})`);
    };
    if (name === ROOM) {
        if (store === 'memory') one('store: memory keeps the seats in the process');
    } else if (name === GATEWAY) {
        if (store === 'memory') one('store: memory runs one room link end');
        else if (replicas > 1 && d.kind !== 'StatefulSet')
            out.push(`${where}: ${replicas} gateways must be a StatefulSet, so each room replica can link to each by name`);
    } else if (name === OME) one('one origin takes every publisher');
    else if (name === REDIS) one('one Redis; Sentinel for failover, docs/deploy.md');
    if (replicas < 1) out.push(`${where}: replicas is ${replicas}`);
    return out;
}

rule('workloads', (ctx) => {
    for (const name of SERVICES) if (!workload(ctx, name)) ctx.problems.push(`Deployment or StatefulSet '${name}' missing`);
    for (const d of workloads(ctx)) {
        const name = d.metadata.name;
        const where = `${d.kind}/${name}`;
        ctx.problems.push(...replica_problems(ctx, d));
        if (!selector_matches(d.spec.selector, pod_labels(d)))
            ctx.problems.push(`${where}: selector does not match its pod labels`);

        const pod = d.spec.template.spec;
        const psc = pod.securityContext || {};
        if (pod.hostNetwork) ctx.problems.push(`${where}: hostNetwork is not allowed in the restricted namespace`);
        for (const c of containers(d)) {
            const cw = `${where} container '${c.name}'`;
            const sc = c.securityContext || {};
            const non_root = sc.runAsNonRoot !== undefined ? sc.runAsNonRoot : psc.runAsNonRoot;
            if (non_root !== true) ctx.problems.push(`${cw}: runAsNonRoot is not true`);
            const uid = sc.runAsUser !== undefined ? sc.runAsUser : psc.runAsUser;
            if (uid === 0) ctx.problems.push(`${cw}: runAsUser is 0`);
            const seccomp = (sc.seccompProfile || psc.seccompProfile || {}).type;
            if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost')
                ctx.problems.push(`${cw}: seccompProfile is '${seccomp}', not RuntimeDefault`);
            if (sc.allowPrivilegeEscalation !== false) ctx.problems.push(`${cw}: allowPrivilegeEscalation is not false`);
            if (sc.readOnlyRootFilesystem !== true) ctx.problems.push(`${cw}: readOnlyRootFilesystem is not true`);
            if (sc.privileged) ctx.problems.push(`${cw}: privileged`);
            const drop = ((sc.capabilities || {}).drop || []).map(String);
            if (!drop.includes('ALL')) ctx.problems.push(`${cw}: capabilities.drop lacks ALL`);
            if (((sc.capabilities || {}).add || []).length) ctx.problems.push(`${cw}: adds capabilities`);

            const res = c.resources || {};
            for (const kind of ['requests', 'limits'])
                for (const r of ['cpu', 'memory'])
                    if (!(res[kind] || {})[r]) ctx.problems.push(`${cw}: resources.${kind}.${r} missing`);

            if (!(c.ports || []).length) ctx.problems.push(`${cw}: declares no ports`);
            if (!c.image) ctx.problems.push(`${cw}: no image`);
            else if (!/:[^/]+$/.test(c.image) && !c.image.includes('@'))
                ctx.problems.push(`${cw}: image '${c.image}' has no pinned tag`);
            else if (/:latest$/.test(c.image)) ctx.problems.push(`${cw}: image '${c.image}' uses :latest`);

            for (const probe of ['livenessProbe', 'readinessProbe']) {
                const p = c[probe];
                if (!p) {
                    ctx.problems.push(`${cw}: ${probe} missing`);
                    continue;
                }
                const handler = p.httpGet || p.tcpSocket || p.grpc;
                if (!handler) {
                    ctx.problems.push(`${cw}: ${probe} has no httpGet/tcpSocket/grpc handler`);
                    continue;
                }
                if (!resolve_port(d, handler.port)) ctx.problems.push(`${cw}: ${probe} port '${handler.port}' is not a container port`);
                if (HTTP_PROBED.includes(name)) {
                    const want = probe === 'livenessProbe' ? '/healthz' : '/readyz';
                    if (!p.httpGet || p.httpGet.path !== want)
                        ctx.problems.push(`${cw}: ${probe} must be httpGet ${want}`);
                }
            }
        }
        if (pod.automountServiceAccountToken !== false)
            ctx.problems.push(`${where}: automountServiceAccountToken should be false (no API access needed)`);
    }
});

rule('config and secrets', (ctx) => {
    const cm = config_map(ctx);
    const cfg = config_of(ctx);
    if (!cfg) {
        ctx.problems.push(`ConfigMap '${CONFIG_MAP}' with key '${CONFIG_KEY}' missing`);
        return;
    }
    for (const secret_key of [['ome', 'webhook_secret'], ['ome', 'api', 'access_token'], ['link', 'secret']]) {
        let v = cfg;
        for (const k of secret_key) v = v && v[k];
        if (v) ctx.problems.push(`ConfigMap '${cm.metadata.name}': ${secret_key.join('.')} is set; secrets belong in the Secret`);
    }

    // Every configMap/secret a pod refers to exists in the render, except
    // the Secrets an operator creates by hand.
    const external_secrets = [...OUR_SECRETS, 'ome-tls', 'ovenspace-tls'];
    for (const d of workloads(ctx)) {
        const pod = d.spec.template.spec;
        const refs = [];
        for (const v of pod.volumes || []) {
            if (v.configMap) refs.push(['ConfigMap', v.configMap.name]);
            if (v.secret) refs.push(['Secret', v.secret.secretName]);
            for (const src of (v.projected || {}).sources || []) if (src.secret) refs.push(['Secret', src.secret.name]);
        }
        for (const c of pod.containers || [])
            for (const ef of c.envFrom || []) {
                if (ef.configMapRef) refs.push(['ConfigMap', ef.configMapRef.name]);
                if (ef.secretRef) refs.push(['Secret', ef.secretRef.name]);
            }
        for (const [kind, name] of refs) {
            if (named(ctx, kind, name)) continue;
            if (kind === 'Secret' && external_secrets.includes(name)) continue;
            ctx.problems.push(`${d.kind}/${d.metadata.name}: refers to missing ${kind} '${name}'`);
        }
    }
    for (const name of [ROOM, GATEWAY]) {
        const d = workload(ctx, name);
        if (!d) continue;
        const c = containers(d)[0];
        const mounts_config = (d.spec.template.spec.volumes || []).some(
            (v) => v.configMap && v.configMap.name === cm.metadata.name
        );
        if (!mounts_config) ctx.problems.push(`${d.kind}/${name}: does not mount ConfigMap '${cm.metadata.name}'`);
        const args = (c.args || []).join(' ');
        if (!/--config \/etc\/ovenspace\/ovenspace\.yaml/.test(args))
            ctx.problems.push(`${d.kind}/${name}: args do not pass --config /etc/ovenspace/ovenspace.yaml`);
    }

    const secrets = of_kind(ctx, 'Secret');
    if (ctx.forbid_secrets && secrets.length)
        ctx.problems.push(`this overlay ships Secret(s) ${secrets.map((s) => s.metadata.name).join(', ')}: create them out of band`);
    for (const s of secrets) {
        const values = Object.assign(
            {},
            s.stringData || {},
            Object.fromEntries(Object.entries(s.data || {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]))
        );
        for (const [k, v] of Object.entries(values))
            if (!/fake|example|change-?me/i.test(v))
                ctx.problems.push(`Secret/${s.metadata.name}: '${k}' does not look like an obvious fake; never commit real secrets`);
        ctx.secret_values = Object.assign(ctx.secret_values || {}, { [s.metadata.name]: values });
    }
});

// What one container can read of the Secrets: {secrets: Set of Secret names,
// vars: {VAR: {secret, key, file?}}} from envFrom, env valueFrom and *_FILE
// variables that point into mounted secret volumes.
function secret_access(deploy, c) {
    const pod = deploy.spec.template.spec;
    const secrets = new Set();
    const vars = {};
    const problems = [];
    // mount path -> [{secret, items?}] for secret and projected volumes.
    const volume_secrets = {};
    for (const v of pod.volumes || []) {
        const srcs = [];
        if (v.secret) srcs.push({ name: v.secret.secretName, items: v.secret.items });
        for (const src of (v.projected || {}).sources || []) if (src.secret) srcs.push({ name: src.secret.name, items: src.secret.items });
        if (srcs.length) volume_secrets[v.name] = srcs;
    }
    const mounts = {};
    for (const m of c.volumeMounts || []) {
        if (!volume_secrets[m.name]) continue;
        mounts[m.mountPath.replace(/\/$/, '')] = volume_secrets[m.name];
        for (const src of volume_secrets[m.name]) secrets.add(src.name);
    }
    for (const ef of c.envFrom || []) {
        if (!ef.secretRef) continue;
        secrets.add(ef.secretRef.name);
        vars[`envFrom:${ef.secretRef.name}`] = { secret: ef.secretRef.name, key: '*' };
    }
    for (const e of c.env || []) {
        const ref = e.valueFrom && e.valueFrom.secretKeyRef;
        if (ref) {
            secrets.add(ref.name);
            vars[e.name] = { secret: ref.name, key: ref.key };
            continue;
        }
        if (!e.name.endsWith('_FILE') || e.value === undefined) continue;
        const dir = e.value.slice(0, e.value.lastIndexOf('/'));
        const key = e.value.slice(e.value.lastIndexOf('/') + 1);
        const srcs = mounts[dir];
        const src = srcs && srcs.find((s) => !s.items || s.items.some((i) => i.path === key));
        if (!src) problems.push(`${e.name}=${e.value} is not a file of a mounted Secret`);
        else vars[e.name.slice(0, -'_FILE'.length)] = { secret: src.name, key, file: e.value };
    }
    return { secrets, vars, problems };
}

rule('least privilege: each pod only its own secrets', (ctx) => {
    for (const [name, wanted] of Object.entries(wanted_secrets(config_of(ctx)))) {
        const d = workload(ctx, name);
        if (!d) continue;
        const got_secrets = new Set();
        const got_vars = new Set();
        for (const c of containers(d)) {
            const access = secret_access(d, c);
            for (const p of access.problems) ctx.problems.push(`${d.kind}/${name}: ${p}`);
            for (const s of access.secrets) got_secrets.add(s);
            for (const [v, how] of Object.entries(access.vars)) {
                if (how.key === '*') {
                    // envFrom: every key of that Secret, as in the example.
                    const values = (ctx.secret_values || {})[how.secret] || {};
                    for (const k of Object.keys(values)) got_vars.add(k);
                } else got_vars.add(v);
            }
        }
        // (Certificates such as ome-tls are not credentials of ours.)
        for (const s of got_secrets)
            if (OUR_SECRETS.includes(s) && !wanted.secrets.includes(s)) ctx.problems.push(`${d.kind}/${name}: reads Secret '${s}', which it does not need`);
        for (const s of wanted.secrets)
            if (!got_secrets.has(s)) ctx.problems.push(`${d.kind}/${name}: does not get Secret '${s}'`);
        for (const v of got_vars)
            if (SECRET_VARS.includes(v) && !wanted.vars.includes(v)) ctx.problems.push(`${d.kind}/${name}: gets ${v}, which it does not need`);
        for (const v of wanted.vars)
            if (!got_vars.has(v) && !ENV_FROM_SECRETS.includes(name)) ctx.problems.push(`${d.kind}/${name}: does not get ${v}`);
    }
    // Each Secret holds only its own keys (the example shows the layout).
    const layout = {
        [LINK_SECRET]: ['OVENSPACE_LINK_SECRET'],
        [OME_SECRETS]: OME_VARS,
        // The room service's URL (with the password) and Redis's own config
        // (requirepass): two keys, each mounted into one pod only.
        [REDIS_SECRET]: ['OVENSPACE_REDIS_URL', 'redis.conf'],
    };
    for (const [secret, keys] of Object.entries(layout)) {
        const values = (ctx.secret_values || {})[secret];
        if (!values) continue;
        const have = Object.keys(values).sort().join(',');
        if (have !== [...keys].sort().join(',')) ctx.problems.push(`Secret/${secret}: keys ${have}, expected ${keys.join(',')}`);
    }
});


rule('services reach their pods', (ctx) => {
    for (const svc of of_kind(ctx, 'Service')) {
        const deploys = selected_workloads(ctx, svc);
        if (deploys.length !== 1) {
            ctx.problems.push(`Service/${svc.metadata.name}: selects ${deploys.length} workloads, not 1`);
            continue;
        }
        for (const p of svc.spec.ports || []) {
            const target = p.targetPort === undefined ? p.port : p.targetPort;
            if (!resolve_port(deploys[0], target, p.protocol || 'TCP'))
                ctx.problems.push(`Service/${svc.metadata.name} port ${p.port}/${p.protocol || 'TCP'}: target '${target}' is no container port`);
        }
    }
});

// OME edges (issue 12). A WebRTC viewer's signalling (TCP) and its ICE
// media (UDP) must reach the same OME process, and no load balancer keeps a
// client on one pod across ports and protocols: so each edge pod gets its
// own address (a LoadBalancer Service that selects only it) and its own
// ome.edges entry. The edges are a StatefulSet (stable pod names); scaling
// is replicas + one Service + one entry (docs/deploy.md, "OME edges").
function edges_agree(ctx, cfg, check) {
    const edge = workload(ctx, EDGE);
    const entries = (cfg.ome || {}).edges || [];
    if (!edge) return;
    if (edge.kind !== 'StatefulSet') {
        ctx.problems.push(`${edge.kind}/${EDGE}: must be a StatefulSet, so that each edge pod has a name, an address and an ome.edges entry`);
        return;
    }
    const origin_llhls = ((cfg.ome || {}).llhls || {}).port || 3333;
    const probed = [];
    for (const e of entries) {
        const port = (e.llhls || {}).port || origin_llhls;
        const host = e.probe_host || e.host;
        const t = service_target(ctx, host, port);
        if (t.error) continue;  // an edge outside the cluster
        if (t.deployment !== edge) continue;
        if (!t.pod) {
            ctx.problems.push(`ome.edges '${e.name}': probe_host ${host} is a Service in front of every edge; name one pod (<pod>.${edge.spec.serviceName})`);
            continue;
        }
        probed.push(t.pod);
    }
    for (const pod of pod_names(edge)) {
        if (!probed.includes(pod)) ctx.problems.push(`ome.edges has no entry probing edge pod ${pod}: no viewer would be sent to it`);
        const own = of_kind(ctx, 'Service').filter((svc) => {
            const pods = svc.spec.type === 'LoadBalancer' ? selected_pods(svc, edge) : null;
            return pods && pods.length === 1 && pods[0] === pod;
        });
        if (own.length !== 1) ctx.problems.push(`edge pod ${pod} has ${own.length} LoadBalancer Services of its own, not 1 (its viewers' address)`);
    }
    if (new Set(probed).size !== probed.length) ctx.problems.push('ome.edges probes one edge pod twice');
    const origin = /^([^:/]+):(\d+)$/.exec(env_value(edge, ctx, 'OVENSPACE_OME_ORIGIN') || '');
    if (!origin) ctx.problems.push(`${EDGE}: OVENSPACE_OME_ORIGIN is not host:port of the origin's OVT port`);
    else {
        const t = check('OVENSPACE_OME_ORIGIN', origin[1], Number(origin[2]), OME);
        if (!t.error && t.container_port.name !== 'ovt') ctx.problems.push(`OVENSPACE_OME_ORIGIN reaches the origin's '${t.container_port.name}' port, not 'ovt'`);
    }
    const hook = /^http:\/\/([^/:]+):(\d+)\/v1\/admission$/.exec(env_value(edge, ctx, 'OVENSPACE_WEBHOOK_URL') || '');
    if (!hook) ctx.problems.push(`${EDGE}: OVENSPACE_WEBHOOK_URL is not http://host:port/v1/admission`);
    else check('the edges\' OVENSPACE_WEBHOOK_URL', hook[1], Number(hook[2]), GATEWAY);
}

rule('config agrees with the Services', (ctx) => {
    const cfg = ctx.config;
    if (!cfg) return;
    const room = workload(ctx, ROOM);
    const gateway = workload(ctx, GATEWAY);
    const ome = workload(ctx, OME);
    const check = (what, host, port, want_deploy) => {
        const t = service_target(ctx, host, port);
        if (t.error) ctx.problems.push(`${what} (${host}:${port}): ${t.error}`);
        else if (want_deploy && t.deployment.metadata.name !== want_deploy)
            ctx.problems.push(`${what} (${host}:${port}) reaches ${t.deployment.metadata.name}, not ${want_deploy}`);
        return t;
    };
    const api = (cfg.ome || {}).api || {};
    check('ome.api', api.host || (cfg.ome || {}).host, api.port || 8081, OME);
    const g = cfg.gateway || {};
    const link_port = (g.link || {}).port;
    // Every room replica links to every gateway (proto/internal.md, "Several
    // room replicas and gateways"): room.gateways names each gateway pod,
    // or room.gateway the one gateway's Service.
    const listed = ((cfg.room || {}).gateways || []).length ? cfg.room.gateways : [(cfg.room || {}).gateway || {}];
    const key = ((cfg.room || {}).gateways || []).length ? 'room.gateways' : 'room.gateway';
    const linked = [];
    for (const rg of listed) {
        const t = check(key, rg.address, rg.port, GATEWAY);
        if (rg.port !== link_port) ctx.problems.push(`${key} ${rg.address}:${rg.port}: port is not gateway.link.port ${link_port}`);
        if (t.error) continue;
        if (t.pod) linked.push(t.pod);
        else if (replicas_of(t.deployment) > 1)
            ctx.problems.push(
                `${key} ${rg.address}: a Service in front of ${replicas_of(t.deployment)} gateways links each room replica to ` +
                    'one of them at random; the others answer every webhook "not allowed" (list each gateway pod)'
            );
    }
    if (gateway && gateway.kind === 'StatefulSet') {
        for (const pod of pod_names(gateway))
            if (!linked.includes(pod)) ctx.problems.push(`${key} does not list gateway pod ${pod}: it would have no room link`);
        const seen = new Set();
        for (const pod of linked) {
            if (seen.has(pod)) ctx.problems.push(`${key} lists gateway pod ${pod} twice`);
            seen.add(pod);
        }
    }
    if (store_of(cfg) === 'redis') {
        const url = ((cfg.redis || {}).url) || ((ctx.secret_values || {})[REDIS_SECRET] || {}).OVENSPACE_REDIS_URL;
        const m = /^redis:\/\/(?:[^@/]*@)?([^:/]+)(?::(\d+))?/.exec(url || '');
        if (m) check('the room\'s Redis URL', m[1], Number(m[2] || 6379), REDIS);
        else if (url) ctx.problems.push('the room\'s Redis URL is not redis://[user:password@]host[:port]');
        if (!workload(ctx, REDIS)) ctx.problems.push(`store: redis, but no workload '${REDIS}' in the render`);
    }
    edges_agree(ctx, cfg, check);
    if (gateway) {
        const http = resolve_port(gateway, 'http');
        const link = resolve_port(gateway, 'link');
        if (!http || http.port !== (g.http || {}).port) ctx.problems.push(`gateway.http.port is not the gateway container's 'http' port`);
        if (!link || link.port !== (g.link || {}).port) ctx.problems.push(`gateway.link.port is not the gateway container's 'link' port`);
        for (const k of ['http', 'link'])
            if ((g[k] || {}).address === '127.0.0.1') ctx.problems.push(`gateway.${k}.address is loopback: other pods cannot reach it`);
    }
    if (room) {
        const http = resolve_port(room, 'http');
        const listen = (cfg.room || {}).listen || {};
        if (!http || http.port !== listen.port) ctx.problems.push(`room.listen.port is not the room container's 'http' port`);
        if (listen.address === '127.0.0.1') ctx.problems.push(`room.listen.address is loopback`);
    }
    if (ome) {
        const url = env_value(ome, ctx, 'OVENSPACE_WEBHOOK_URL');
        const m = /^http:\/\/([^/:]+):(\d+)(\/.*)$/.exec(url || '');
        if (!m) ctx.problems.push(`OME env OVENSPACE_WEBHOOK_URL '${url}' is not http://host:port/path`);
        else {
            check('OVENSPACE_WEBHOOK_URL', m[1], Number(m[2]), GATEWAY);
            if (m[3] !== '/v1/admission') ctx.problems.push(`OVENSPACE_WEBHOOK_URL path is '${m[3]}', not /v1/admission`);
            if (gateway && Number(m[2]) !== (resolve_port(gateway, 'http') || {}).port) {
                const t = service_target(ctx, m[1], Number(m[2]));
                if (!t.error && t.container_port.name !== 'http')
                    ctx.problems.push(`OVENSPACE_WEBHOOK_URL reaches the gateway's '${t.container_port.name}' port, not 'http'`);
            }
        }
        const host_ip = env_value(ome, ctx, 'OME_HOST_IP');
        if (!host_ip || host_ip === '*') ctx.problems.push(`OME env OME_HOST_IP is not set to the public address`);
    }
});

// Which peers a set of NetworkPolicies lets reach `port`/`protocol` of the
// pods labelled `labels`: 'ANY' or a list of peer objects.
function allowed_peers(ctx, deploy, port, protocol) {
    const labels = pod_labels(deploy);
    const policies = of_kind(ctx, 'NetworkPolicy').filter(
        (np) => (np.spec.policyTypes || ['Ingress']).includes('Ingress') && selector_matches(np.spec.podSelector, labels)
    );
    if (!policies.length) return 'ANY';  // not isolated
    const peers = [];
    for (const np of policies) {
        for (const r of np.spec.ingress || []) {
            const ports_ok = !r.ports || !r.ports.length || r.ports.some((p) => {
                if ((p.protocol || 'TCP') !== protocol) return false;
                if (p.port === undefined) return true;
                const n = typeof p.port === 'number' ? p.port : (resolve_port(deploy, p.port) || {}).port;
                return p.endPort ? port >= n && port <= p.endPort : port === n;
            });
            if (!ports_ok) continue;
            if (!r.from || !r.from.length) return 'ANY';
            peers.push(...r.from);
        }
    }
    return peers;
}

rule('network policies', (ctx) => {
    const deny_all = of_kind(ctx, 'NetworkPolicy').some(
        (np) => Object.keys(np.spec.podSelector || {}).length === 0 && (np.spec.policyTypes || []).includes('Ingress') && !(np.spec.ingress || []).length
    );
    if (!deny_all) ctx.problems.push('no default-deny ingress NetworkPolicy for the namespace');
    // Only the workloads `from_names` (those present) may reach target:port.
    const only = (target, port, from_names, what) => {
        const d = workload(ctx, target);
        const srcs = from_names.map((n) => workload(ctx, n)).filter(Boolean);
        if (!d || !srcs.length) return;
        const names = srcs.map((w) => w.metadata.name).join(' and ');
        const peers = allowed_peers(ctx, d, port, 'TCP');
        if (peers === 'ANY') {
            ctx.problems.push(`${what}: ${target}:${port} is open to everyone`);
            return;
        }
        for (const src of srcs)
            if (!peers.some((p) => p.podSelector && !p.namespaceSelector && !p.ipBlock && selector_matches(p.podSelector, pod_labels(src))))
                ctx.problems.push(`${what}: ${target}:${port} is not reachable by ${src.metadata.name}`);
        for (const p of peers) {
            const exact = p.podSelector && !p.namespaceSelector && !p.ipBlock;
            const only_src = exact && workloads(ctx).every(
                (o) => srcs.includes(o) || !selector_matches(p.podSelector, pod_labels(o))
            );
            if (!only_src) ctx.problems.push(`${what}: ${target}:${port} admits a peer other than ${names}: ${JSON.stringify(p)}`);
        }
    };
    const cfg = ctx.config || {};
    const api_port = ((cfg.ome || {}).api || {}).port || 8081;
    only(OME, api_port, [GATEWAY], 'OME API');
    const g = cfg.gateway || {};
    // The edges ask the gateway about their viewers, as the origin does.
    only(GATEWAY, (g.http || {}).port || 9595, [OME, EDGE], 'webhook endpoint');
    only(GATEWAY, (g.link || {}).port || 9600, [ROOM], 'gateway link');
    only(REDIS, 6379, [ROOM], 'Redis');
    const ome_w = workload(ctx, OME);
    const ovt = ome_w && resolve_port(ome_w, 'ovt');
    if (ovt) only(OME, ovt.port, [EDGE], 'OME origin OVT');

    // The media ports stay open, or nobody can publish or watch.
    for (const name of [OME, EDGE]) {
        const w = workload(ctx, name);
        if (!w) continue;
        for (const p of container_ports(w).filter((p) => !['api', 'api-tls', 'ovt'].includes(p.name)))
            if (allowed_peers(ctx, w, p.port, p.protocol) !== 'ANY')
                ctx.problems.push(`${name} media port ${p.port}/${p.protocol} (${p.name}) is not open to clients`);
    }
    const room = workload(ctx, ROOM);
    if (room) {
        const peers = allowed_peers(ctx, room, ((cfg.room || {}).listen || {}).port || 5000, 'TCP');
        if (peers !== 'ANY' && !peers.length) ctx.problems.push('the room service is reachable by nobody (the Ingress needs it)');
    }
});

rule('ingress', (ctx) => {
    const ings = of_kind(ctx, 'Ingress');
    if (!ings.length) {
        ctx.problems.push('no Ingress for the page');
        return;
    }
    for (const ing of ings) {
        const where = `Ingress/${ing.metadata.name}`;
        const tls = ing.spec.tls || [];
        if (!tls.length || !tls.every((t) => t.secretName && (t.hosts || []).length)) ctx.problems.push(`${where}: no TLS section with hosts and secretName`);
        const a = ing.metadata.annotations || {};
        for (const k of ['proxy-read-timeout', 'proxy-send-timeout']) {
            const v = Number(a[`nginx.ingress.kubernetes.io/${k}`]);
            if (!(v >= 300)) ctx.problems.push(`${where}: nginx.ingress.kubernetes.io/${k} must be >= 300 s for WebSockets`);
        }
        let ws_routed = false;
        for (const r of ing.spec.rules || [])
            for (const p of (r.http || {}).paths || []) {
                const b = (p.backend || {}).service;
                if (!b) continue;
                const svc = named(ctx, 'Service', b.name);
                if (!svc) {
                    ctx.problems.push(`${where}: backend Service '${b.name}' missing`);
                    continue;
                }
                const sp = (svc.spec.ports || []).find((x) => (b.port.name ? x.name === b.port.name : x.port === b.port.number));
                if (!sp) ctx.problems.push(`${where}: Service '${b.name}' has no port ${JSON.stringify(b.port)}`);
                if (b.name === ROOM && (p.path === '/ws' || (p.pathType === 'Prefix' && p.path === '/'))) ws_routed = true;
                if (b.name !== ROOM) ctx.problems.push(`${where}: routes to '${b.name}'; only the room service belongs behind the Ingress`);
            }
        if (!ws_routed) ctx.problems.push(`${where}: /ws does not reach ${ROOM}`);
    }
});

// ------------------------------------------------ readiness without cycles

// What each of our HTTP probe paths needs besides its own pod: the
// connections (named by the config key that sets where they go) that must be
// up for it to answer 200. Since issue 11 neither service waits for a peer:
// the room service is ready while it serves pages and WebSockets, the
// gateway while it answers webhooks (OME reachable or backing off).
// scripts/check_deploy.sh config holds the services to it: each starts with
// no peer at all and must answer /readyz 200.
const PROBE_NEEDS = {
    [ROOM]: { '/healthz': [], '/readyz': [] },
    [GATEWAY]: { '/healthz': [], '/readyz': [] },
};
// With store: redis the room service's /readyz is 503 while Redis is away
// (docs/store.md): the seat store is part of its own job, not a peer's
// state, so this wait is allowed, as long as Redis's readiness never waits
// for the room service (that would be a cycle, which is reported).
const STORE_NEEDS = { [ROOM]: { '/readyz': ['redis'] } };

// The room service's Redis URL: the config's, or the example Secret's.
function redis_url(ctx) {
    const cfg = ctx.config || {};
    return ((cfg.redis || {}).url) || ((ctx.secret_values || {})[REDIS_SECRET] || {}).OVENSPACE_REDIS_URL || '';
}

// The connections between the pods, from the config: who dials, and where
// (a list of {from, host, port} per config key).
function connections(ctx) {
    const cfg = ctx.config || {};
    const out = {};
    const room = cfg.room || {};
    const gws = (room.gateways || []).length ? room.gateways : [room.gateway || {}];
    out['room.gateway'] = gws.map((rg) => ({ from: ROOM, host: rg.address, port: rg.port }));
    const api = (cfg.ome || {}).api || {};
    out['ome.api'] = [{ from: GATEWAY, host: api.host || (cfg.ome || {}).host, port: api.port || 8081 }];
    const ome = workload(ctx, OME);
    const m = /^https?:\/\/([^/:]+):(\d+)/.exec((ome && env_value(ome, ctx, 'OVENSPACE_WEBHOOK_URL')) || '');
    if (m) out['ome.webhook'] = [{ from: OME, host: m[1], port: Number(m[2]) }];
    const r = /^redis:\/\/(?:[^@/]*@)?([^:/]+)(?::(\d+))?/.exec(redis_url(ctx));
    if (r) out.redis = [{ from: ROOM, host: r[1], port: Number(r[2] || 6379) }];
    return out;
}

// The peers a Deployment's readiness probe waits for: [{what, service,
// deployment}], each reached through `service`.
function readiness_needs(ctx, deploy, needs_table) {
    const name = deploy.metadata.name;
    const own_store = store_of(ctx.config) === 'redis' ? STORE_NEEDS[name] || {} : {};
    const out = [];
    const problems = [];
    const conns = connections(ctx);
    for (const c of containers(deploy)) {
        const p = c.readinessProbe;
        if (!p) continue;
        const via_service = (what, host, port, own = false) => {
            const t = service_target(ctx, host, port);
            if (!t.error) out.push({ what, service: t.service, deployment: t.deployment, own });
        };
        if (p.exec) {
            // A command that names one of the render's Services dials it.
            const cmd = (p.exec.command || []).join(' ');
            for (const svc of of_kind(ctx, 'Service')) {
                const m = new RegExp(`\\b${svc.metadata.name}(?![\\w-])(?:\\.[a-z0-9.-]+)?(?::(\\d+))?`).exec(cmd);
                if (!m) continue;
                const port = m[1] ? Number(m[1]) : ((svc.spec.ports || [])[0] || {}).port;
                via_service(`its exec probe ('${cmd}')`, svc.metadata.name, port);
            }
            continue;
        }
        const handler = p.httpGet || p.tcpSocket || p.grpc;
        if (!handler) continue;
        if (handler.host) {
            via_service(`its probe's host '${handler.host}'`, handler.host, handler.port);
            continue;
        }
        if (!p.httpGet || !needs_table[name]) continue;  // a port of its own pod
        const wanted = needs_table[name][p.httpGet.path];
        if (!wanted) {
            problems.push(`${deploy.kind}/${name}: readiness path '${p.httpGet.path}' has no known meaning (tests/deploy/k8s/rules.js PROBE_NEEDS)`);
            continue;
        }
        const own = own_store[p.httpGet.path] || [];
        for (const key of [...wanted, ...own])
            for (const conn of conns[key] || [])
                via_service(
                    `${p.httpGet.path}, which needs ${key} (${conn.from} dials ${conn.host}:${conn.port})`,
                    conn.host,
                    conn.port,
                    own.includes(key) && !wanted.includes(key)
                );
    }
    return { needs: out, problems };
}

// A Service that sends traffic to Ready pods only (the default).
const ready_only = (svc) => svc.spec.publishNotReadyAddresses !== true;

rule('readiness without cycles', (ctx) => {
    const table = ctx.probe_needs || PROBE_NEEDS;
    const edges = {};
    for (const d of workloads(ctx)) {
        const r = readiness_needs(ctx, d, table);
        ctx.problems.push(...r.problems);
        edges[d.metadata.name] = r.needs;
    }
    // The chain of readiness waits from `from` that comes back to `to`.
    const path_back = (from, to, seen = new Set()) => {
        if (from === to) return [to];
        if (seen.has(from)) return null;
        seen.add(from);
        for (const e of edges[from] || []) {
            const rest = path_back(e.deployment.metadata.name, to, seen);
            if (rest) return [from, ...rest];
        }
        return null;
    };
    for (const [name, needs] of Object.entries(edges)) {
        const kind = workload(ctx, name).kind;
        for (const e of needs) {
            if (!ready_only(e.service)) continue;
            const peer = e.deployment.metadata.name;
            const cycle = path_back(peer, name);
            if (e.own && !cycle) continue;  // its own store, which waits for nobody
            ctx.problems.push(
                `${kind}/${name}: readiness waits for ${peer} through Service '${e.service.metadata.name}', ` +
                    `which routes only to Ready pods (${e.what})` +
                    (cycle ? `: a cycle ${[name, ...cycle].join(' -> ')}, so none of them ever becomes Ready` : '')
            );
        }
    }
});

// ------------------------------------------------------ disruption budgets

// An int-or-percent of `replicas` (minAvailable rounds up, maxUnavailable
// down, as the disruption controller does... close enough for 0 and 1).
function budget_count(v, replicas, round) {
    if (typeof v === 'number') return v;
    const m = /^(\d+)%$/.exec(String(v));
    return m ? round((Number(m[1]) * replicas) / 100) : NaN;
}

rule('disruption budgets allow a drain', (ctx) => {
    for (const pdb of of_kind(ctx, 'PodDisruptionBudget')) {
        const where = `PodDisruptionBudget/${pdb.metadata.name}`;
        const selected = workloads(ctx).filter((d) => selector_matches(pdb.spec.selector, pod_labels(d)));
        if (!selected.length) ctx.problems.push(`${where}: selects no workload`);
        for (const d of selected) {
            const replicas = replicas_of(d);
            let allowed;
            if (pdb.spec.minAvailable !== undefined) allowed = replicas - budget_count(pdb.spec.minAvailable, replicas, Math.ceil);
            else if (pdb.spec.maxUnavailable !== undefined) allowed = budget_count(pdb.spec.maxUnavailable, replicas, Math.floor);
            else allowed = replicas;
            if (!(allowed >= 1))
                ctx.problems.push(
                    `${where}: allows ${allowed} of ${d.metadata.name}'s ${replicas} replica(s) to be evicted: ` +
                        'every node drain would wait for ever (with one replica, have no budget)'
                );
        }
    }
});

// Replicas are worth having only if a drain or a node's loss does not take
// them all at once (issue 12): with two or more, a budget that keeps at
// least one running, and pods spread over nodes.
function spread_over_nodes(w) {
    const spec = w.spec.template.spec;
    const own = (sel) => pod_label_sets(w).some((l) => selector_matches(sel, l));
    const anti = (spec.affinity || {}).podAntiAffinity || {};
    const terms = [
        ...(anti.requiredDuringSchedulingIgnoredDuringExecution || []),
        ...(anti.preferredDuringSchedulingIgnoredDuringExecution || []).map((t) => t.podAffinityTerm || {}),
    ];
    if (terms.some((t) => t.topologyKey === 'kubernetes.io/hostname' && own(t.labelSelector))) return true;
    return (spec.topologySpreadConstraints || []).some((c) => c.topologyKey === 'kubernetes.io/hostname' && own(c.labelSelector));
}

rule('replicas survive a drain and a lost node', (ctx) => {
    for (const w of workloads(ctx)) {
        const replicas = replicas_of(w);
        if (replicas < 2) continue;
        const where = `${w.kind}/${w.metadata.name}`;
        const budgets = of_kind(ctx, 'PodDisruptionBudget').filter((pdb) => selector_matches(pdb.spec.selector, pod_labels(w)));
        const keeps_one = budgets.some((pdb) => {
            if (pdb.spec.minAvailable !== undefined) return budget_count(pdb.spec.minAvailable, replicas, Math.ceil) >= 1;
            if (pdb.spec.maxUnavailable !== undefined) return budget_count(pdb.spec.maxUnavailable, replicas, Math.floor) < replicas;
            return false;
        });
        if (!keeps_one)
            ctx.problems.push(`${where}: ${replicas} replicas and no PodDisruptionBudget that keeps one running: a drain may evict them all at once`);
        if (!spread_over_nodes(w))
            ctx.problems.push(
                `${where}: ${replicas} replicas without pod anti-affinity (or a topology spread) on kubernetes.io/hostname: ` +
                    'they may share one node and go down with it'
            );
    }
});

// ------------------------------------------------------ room state file

// With store: memory the seats live in the room service's process; issue 11
// keeps them across its restart in room.state_file, which must be on a
// writable volume (the root file system is read-only). With store: redis
// the file is ignored (Redis keeps the seats), so it must not be set.
rule('room state file on a volume', (ctx) => {
    const cfg = ctx.config;
    const room = workload(ctx, ROOM);
    if (!cfg || !room) return;
    const file = (cfg.room || {}).state_file || '';
    if (store_of(cfg) === 'redis') {
        if (file) ctx.problems.push(`room.state_file is set with store: redis, which ignores it (Redis keeps the seats)`);
        return;
    }
    if (!file) {
        ctx.problems.push('room.state_file is not set: with store: memory a restart of the room service ends every broadcast');
        return;
    }
    const dir = file.slice(0, file.lastIndexOf('/')) || '/';
    const volumes = room.spec.template.spec.volumes || [];
    const c = containers(room)[0];
    const mount = (c.volumeMounts || []).find((m) => m.mountPath.replace(/\/$/, '') === dir);
    if (!mount) {
        ctx.problems.push(`room.state_file ${file}: no volume is mounted at ${dir} in the room container (its root file system is read-only)`);
        return;
    }
    const v = volumes.find((x) => x.name === mount.name) || {};
    if (mount.readOnly) ctx.problems.push(`room.state_file ${file}: the volume '${mount.name}' at ${dir} is mounted read-only`);
    if (!v.emptyDir && !v.persistentVolumeClaim)
        ctx.problems.push(`room.state_file ${file}: the volume '${mount.name}' at ${dir} is not an emptyDir or a PersistentVolumeClaim`);
});

// ----------------------------------------------------- graceful shutdown

// How long a service may take to stop after SIGTERM, from the config (ms):
// the room service's room.shutdown_timeout_ms; the gateway's OME calls in
// flight end within ome.api.timeout_ms, and it waits one second more.
const shutdown_ms = {
    [ROOM]: (cfg) => ((cfg.room || {}).shutdown_timeout_ms ?? 5000),
    [GATEWAY]: (cfg) => (((cfg.ome || {}).api || {}).timeout_ms ?? 2000) + 1000,
};
// Time for every Ingress controller and kube-proxy to drop a terminating
// pod's endpoint (they learn it asynchronously) before it stops accepting.
const MIN_PRESTOP_S = 3;
// Kept free between the end of the graceful stop and SIGKILL.
const MIN_MARGIN_S = 2;

// Seconds a preStop hook sleeps: native `sleep`, or exec of sleep N.
function prestop_sleep_s(c) {
    const pre = (c.lifecycle || {}).preStop;
    if (!pre) return null;
    if (pre.sleep) return Number(pre.sleep.seconds);
    const cmd = ((pre.exec || {}).command || []).join(' ');
    const m = /(?:^|[\s;&/])sleep\s+(\d+(?:\.\d+)?)\b/.exec(cmd);
    return m ? Number(m[1]) : null;
}

rule('preStop, grace period and shutdown timeout agree', (ctx) => {
    const cfg = ctx.config || {};
    for (const name of [ROOM, GATEWAY]) {
        const d = workload(ctx, name);
        if (!d) continue;
        const pod = d.spec.template.spec;
        const grace = pod.terminationGracePeriodSeconds ?? 30;
        const stop_s = Math.ceil(shutdown_ms[name](cfg) / 1000);
        for (const c of containers(d)) {
            const cw = `${d.kind}/${name} container '${c.name}'`;
            const sleep = prestop_sleep_s(c);
            if (sleep === null) {
                ctx.problems.push(`${cw}: no preStop sleep: its Service and the Ingress keep sending to it after it stopped accepting`);
                continue;
            }
            if (sleep < MIN_PRESTOP_S) ctx.problems.push(`${cw}: preStop sleeps ${sleep} s, less than the ${MIN_PRESTOP_S} s endpoints take to drop it`);
            const need = sleep + stop_s + MIN_MARGIN_S;
            if (grace < need)
                ctx.problems.push(
                    `${cw}: terminationGracePeriodSeconds ${grace} < preStop ${sleep} s + graceful stop ${stop_s} s + margin ${MIN_MARGIN_S} s = ${need} s: ` +
                        'it would be killed mid-shutdown'
                );
        }
    }
});

// ----------------------------------------------------------------- memory

// A Kubernetes memory quantity in bytes (NaN when unreadable).
function bytes_of(q) {
    if (q === undefined) return NaN;
    const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T|)$/.exec(String(q));
    if (!m) return NaN;
    const unit = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 }[m[2]];
    return Number(m[1]) * unit;
}
const KiB = 1024;
const MiB = 1024 * KiB;
// docs/deploy.md "Memory" derives these: per connection, our own memory per
// viewer (bench_room.sh: 11.7 KiB), the kernel's socket at rest (~5 KiB) and
// a message in flight each way (~4 KiB each), rounded up to 32 KiB; the
// process itself, 64 MiB for the room service (the page's files it reads
// count too) and 32 MiB for the gateway.
const PER_CONNECTION = 32 * KiB;
const ROOM_BASE = 64 * MiB;
const GATEWAY_BASE = 32 * MiB;

function memory_need(name, cfg) {
    const limits = (cfg.room || {}).limits || {};
    if (name === ROOM) {
        const ws = limits.max_connections_total ?? 50000;
        const http = limits.max_http_connections ?? 1024;
        return {
            bytes: ROOM_BASE + (ws + http) * PER_CONNECTION,
            how: `64 MiB + (max_connections_total ${ws} + max_http_connections ${http}) x 32 KiB`,
        };
    }
    const g = cfg.gateway || {};
    const http = g.max_http_connections ?? 256;
    const body = g.max_webhook_body_bytes ?? 16384;
    return {
        bytes: GATEWAY_BASE + http * (PER_CONNECTION + body),
        how: `32 MiB + gateway.max_http_connections ${http} x (32 KiB + max_webhook_body_bytes ${body})`,
    };
}

rule('memory limits fit the connection limits', (ctx) => {
    const cfg = ctx.config;
    if (!cfg) return;
    for (const name of [ROOM, GATEWAY]) {
        const d = workload(ctx, name);
        if (!d) continue;
        const c = containers(d)[0];
        const res = c.resources || {};
        const limit = bytes_of((res.limits || {}).memory);
        const request = bytes_of((res.requests || {}).memory);
        const need = memory_need(name, cfg);
        const mib = (b) => `${Math.ceil(b / MiB)} MiB`;
        if (!(limit >= need.bytes))
            ctx.problems.push(
                `${d.kind}/${name}: memory limit ${(res.limits || {}).memory} < ${need.how} = ${mib(need.bytes)}: ` +
                    'it would be OOM-killed before it refuses connections'
            );
        if (request > limit) ctx.problems.push(`${d.kind}/${name}: memory request above its limit`);
    }
});

module.exports = { rules, secret_access, bytes_of, memory_need };
