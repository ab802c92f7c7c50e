#!/usr/bin/env node
// Proves the deployment rules can fail: takes a rendered base (which must
// pass), breaks it one way at a time, and checks that the rules name each
// break. The cases include the configuration issue 11 found: readiness that
// waited for the peer (a cycle through the gateway's own Service), a budget
// of minAvailable 1 on one replica, no preStop sleep, and 512 MiB next to
// 50,000 connections.
//
// With a second render, the replicas overlay (store: redis, issue 12), it
// breaks that one too: gateways the room replicas do not all link to, edges
// without an address of their own, replicas without budgets or spread,
// Redis waiting for the room service.
//
// Usage: node rules_test.js RENDERED-BASE.yaml [RENDERED-REPLICAS.yaml]
'use strict';

const fs = require('fs');
const YAML = require('yaml');
const { rules } = require('./rules');

const ROOM = 'ovenspace-room';
const GATEWAY = 'ovenspace-gateway';

function problems_of(objects, extra = {}) {
    const ctx = Object.assign({ objects, forbid_secrets: false, config: null, problems: [] }, extra);
    for (const rule of rules) {
        try {
            rule.check(ctx);
        } catch (e) {
            ctx.problems.push(`${rule.name}: threw ${e.message}`);
        }
    }
    return ctx.problems;
}

const deployment = (objects, name) => objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name);
const workload = (objects, name) =>
    objects.find((o) => ['Deployment', 'StatefulSet'].includes(o.kind) && o.metadata.name === name);
const container = (objects, name) => workload(objects, name).spec.template.spec.containers[0];
const drop = (objects, kind, name) => objects.splice(objects.findIndex((o) => o.kind === kind && o.metadata.name === name), 1);
const service = (objects, name) => objects.find((o) => o.kind === 'Service' && o.metadata.name === name);

// Edits the OvenSpace config inside the ConfigMap.
function edit_config(objects, edit) {
    const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('ovenspace-config'));
    const cfg = YAML.parse(cm.data['ovenspace.yaml']);
    edit(cfg);
    cm.data['ovenspace.yaml'] = YAML.stringify(cfg);
}

function pdb(name, spec) {
    return {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name, namespace: 'ovenspace' },
        spec: Object.assign({ selector: { matchLabels: { 'app.kubernetes.io/name': name } } }, spec),
    };
}

// What /readyz waited for before issue 11: the room service for its link;
// the gateway for the link and for OME.
const OLD_PROBE_NEEDS = {
    [ROOM]: { '/healthz': [], '/readyz': ['room.gateway'] },
    [GATEWAY]: { '/healthz': [], '/readyz': ['room.gateway', 'ome.api'] },
};

// Each case: a name, how to break the render, and the problems it must
// produce (every pattern must match some problem; [] = no problem at all).
const cases = [
    ['the render as it is', () => {}, []],
    [
        'readiness that waits for the link (before issue 11)',
        () => ({ probe_needs: OLD_PROBE_NEEDS }),
        [
            /ovenspace-gateway: readiness waits for ovenspace-gateway through Service 'ovenspace-gateway'.*a cycle ovenspace-gateway -> ovenspace-gateway/,
            /ovenspace-room: readiness waits for ovenspace-gateway through Service 'ovenspace-gateway'/,
            /ovenspace-gateway: readiness waits for ovenspace-ome through Service 'ovenspace-ome-api'/,
        ],
    ],
    [
        'an exec readiness probe that asks the gateway',
        (objs) => {
            container(objs, ROOM).readinessProbe = {
                exec: { command: ['curl', '-f', 'http://ovenspace-gateway:9595/readyz'] },
            };
        },
        [/ovenspace-room: readiness waits for ovenspace-gateway through Service 'ovenspace-gateway'/],
    ],
    [
        'both ways through exec probes: a cycle',
        (objs) => {
            container(objs, ROOM).readinessProbe = {
                exec: { command: ['curl', '-f', 'http://ovenspace-gateway.ovenspace.svc:9595/readyz'] },
            };
            container(objs, GATEWAY).readinessProbe = {
                exec: { command: ['sh', '-c', 'curl -f http://ovenspace-room:5000/readyz'] },
            };
        },
        [/a cycle ovenspace-room -> ovenspace-gateway -> ovenspace-room/, /a cycle ovenspace-gateway -> ovenspace-room -> ovenspace-gateway/],
    ],
    [
        'waiting for peers through Services that also route to unready pods',
        (objs) => {
            service(objs, GATEWAY).spec.publishNotReadyAddresses = true;
            service(objs, 'ovenspace-ome-api').spec.publishNotReadyAddresses = true;
            return { probe_needs: OLD_PROBE_NEEDS };
        },
        [],
    ],
    [
        'a readiness path nobody knows',
        (objs) => {
            container(objs, GATEWAY).readinessProbe.httpGet.path = '/ready-with-peers';
        },
        [/readiness path '\/ready-with-peers' has no known meaning/, /readinessProbe must be httpGet \/readyz/],
    ],
    ['minAvailable 1 on one replica', (objs) => { objs.push(pdb(ROOM, { minAvailable: 1 })); }, [/PodDisruptionBudget\/ovenspace-room: allows 0 of .*every node drain/]],
    ["minAvailable '100%'", (objs) => { objs.push(pdb('ovenspace-ome', { minAvailable: '100%' })); }, [/PodDisruptionBudget\/ovenspace-ome: allows 0/]],
    ['maxUnavailable 0', (objs) => { objs.push(pdb(GATEWAY, { maxUnavailable: 0 })); }, [/PodDisruptionBudget\/ovenspace-gateway: allows 0/]],
    ['maxUnavailable 1 (a budget that lets a drain through)', (objs) => { objs.push(pdb(ROOM, { maxUnavailable: 1 })); }, []],
    [
        'no preStop',
        (objs) => {
            delete container(objs, ROOM).lifecycle;
        },
        [/ovenspace-room container 'room': no preStop sleep/],
    ],
    [
        'a preStop sleep too short for the endpoints to go',
        (objs) => {
            container(objs, GATEWAY).lifecycle = { preStop: { sleep: { seconds: 1 } } };
        },
        [/ovenspace-gateway container 'gateway': preStop sleeps 1 s/],
    ],
    [
        'a grace period shorter than preStop + shutdown',
        (objs) => {
            deployment(objs, ROOM).spec.template.spec.terminationGracePeriodSeconds = 10;
        },
        [/ovenspace-room.*terminationGracePeriodSeconds 10 < preStop 5 s \+ graceful stop 5 s \+ margin 2 s = 12 s/],
    ],
    [
        'a longer room.shutdown_timeout_ms without a longer grace period',
        (objs) => {
            edit_config(objs, (cfg) => {
                cfg.room.shutdown_timeout_ms = 30000;
            });
        },
        [/ovenspace-room.*graceful stop 30 s/],
    ],
    [
        'a longer ome.api.timeout_ms (the gateway waits for calls in flight)',
        (objs) => {
            edit_config(objs, (cfg) => {
                cfg.ome.api.timeout_ms = 20000;
            });
        },
        [/ovenspace-gateway.*graceful stop 21 s/],
    ],
    [
        '512 MiB next to the default 50,000 connections',
        (objs) => {
            container(objs, ROOM).resources.limits.memory = '512Mi';
        },
        [/ovenspace-room: memory limit 512Mi < 64 MiB \+ \(max_connections_total 50000 \+ max_http_connections 1024\) x 32 KiB = 1659 MiB/],
    ],
    [
        '512 MiB with the connections lowered to 10,000 (fits)',
        (objs) => {
            container(objs, ROOM).resources.limits.memory = '512Mi';
            container(objs, ROOM).resources.requests.memory = '256Mi';
            edit_config(objs, (cfg) => {
                cfg.room.limits = { max_connections_total: 10000 };
            });
        },
        [],
    ],
    [
        'the gateway with room for many more webhooks than its memory',
        (objs) => {
            edit_config(objs, (cfg) => {
                cfg.gateway.max_http_connections = 10000;
            });
        },
        [/ovenspace-gateway: memory limit 256Mi < 32 MiB \+ gateway.max_http_connections 10000/],
    ],
    [
        'store: memory without room.state_file (issue 11)',
        (objs) => {
            edit_config(objs, (cfg) => {
                delete cfg.room.state_file;
            });
        },
        [/room.state_file is not set: with store: memory a restart of the room service ends every broadcast/],
    ],
    [
        'room.state_file on the read-only root file system',
        (objs) => {
            const c = container(objs, ROOM);
            c.volumeMounts = c.volumeMounts.filter((m) => m.mountPath !== '/var/lib/ovenspace');
        },
        [/room.state_file \/var\/lib\/ovenspace\/room-state.json: no volume is mounted at \/var\/lib\/ovenspace/],
    ],
    [
        'room.state_file on a read-only mount of a ConfigMap',
        (objs) => {
            const c = container(objs, ROOM);
            c.volumeMounts.find((m) => m.mountPath === '/var/lib/ovenspace').readOnly = true;
            const v = deployment(objs, ROOM).spec.template.spec.volumes.find((x) => x.name === 'state');
            delete v.emptyDir;
            v.configMap = { name: 'ovenspace-config' };
        },
        [/mounted read-only/, /is not an emptyDir or a PersistentVolumeClaim/],
    ],
    [
        'room.state_file on a PersistentVolumeClaim (allowed)',
        (objs) => {
            const v = deployment(objs, ROOM).spec.template.spec.volumes.find((x) => x.name === 'state');
            delete v.emptyDir;
            v.persistentVolumeClaim = { claimName: 'ovenspace-room-state' };
        },
        [],
    ],
    [
        'store: memory with three room replicas',
        (objs) => {
            deployment(objs, ROOM).spec.replicas = 3;
        },
        [/Deployment\/ovenspace-room: replicas is 3, must be 1 \(store: memory keeps the seats in the process\)/],
    ],
    [
        'store: memory with a rolling update of the room service',
        (objs) => {
            deployment(objs, ROOM).spec.strategy = { type: 'RollingUpdate' };
        },
        [/Deployment\/ovenspace-room: strategy must be Recreate/],
    ],
    [
        'store: memory with two gateways',
        (objs) => {
            deployment(objs, GATEWAY).spec.replicas = 2;
        },
        [/Deployment\/ovenspace-gateway: replicas is 2, must be 1 \(store: memory runs one room link end\)/],
    ],
    [
        'two OME origins',
        (objs) => {
            deployment(objs, 'ovenspace-ome').spec.replicas = 2;
        },
        [/Deployment\/ovenspace-ome: replicas is 2, must be 1 \(one origin takes every publisher\)/],
    ],
    [
        'the whole configuration issue 11 found',
        (objs) => {
            objs.push(pdb(ROOM, { minAvailable: 1 }), pdb('ovenspace-ome', { minAvailable: 1 }));
            for (const name of [ROOM, GATEWAY]) delete container(objs, name).lifecycle;
            container(objs, ROOM).resources.limits.memory = '512Mi';
            container(objs, ROOM).resources.requests.memory = '128Mi';
            return { probe_needs: OLD_PROBE_NEEDS };
        },
        [/a cycle/, /PodDisruptionBudget\/ovenspace-room: allows 0/, /PodDisruptionBudget\/ovenspace-ome: allows 0/, /ovenspace-room.*no preStop/, /ovenspace-gateway.*no preStop/, /ovenspace-room: memory limit 512Mi/],
    ],
];

const REDIS = 'ovenspace-redis';
const EDGE = 'ovenspace-ome-edge';
// Cases on the replicas overlay's render.
const replica_cases = [
    ['the replicas render as it is (the room waits for its own Redis only)', () => {}, []],
    [
        'room.gateways misses a gateway pod',
        (objs) => {
            edit_config(objs, (cfg) => {
                cfg.room.gateways = cfg.room.gateways.slice(0, 1);
            });
        },
        [/room.gateways does not list gateway pod ovenspace-gateway-1: it would have no room link/],
    ],
    [
        'three gateways, two listed',
        (objs) => {
            workload(objs, GATEWAY).spec.replicas = 3;
        },
        [/room.gateways does not list gateway pod ovenspace-gateway-2/],
    ],
    [
        'room.gateway through the Service in front of both gateways',
        (objs) => {
            edit_config(objs, (cfg) => {
                delete cfg.room.gateways;
                cfg.room.gateway = { address: 'ovenspace-gateway', port: 9600 };
            });
        },
        [/room.gateway ovenspace-gateway: a Service in front of 2 gateways links each room replica to one of them at random/,
            /does not list gateway pod ovenspace-gateway-0/],
    ],
    [
        'two gateways as a Deployment',
        (objs) => {
            const g = workload(objs, GATEWAY);
            g.kind = 'Deployment';
            delete g.spec.serviceName;
        },
        [/Deployment\/ovenspace-gateway: 2 gateways must be a StatefulSet/],
    ],
    [
        'room replicas without a budget',
        (objs) => {
            drop(objs, 'PodDisruptionBudget', ROOM);
        },
        [/Deployment\/ovenspace-room: 3 replicas and no PodDisruptionBudget that keeps one running/],
    ],
    [
        'a budget that lets a drain take every room replica',
        (objs) => {
            objs.find((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === ROOM).spec.maxUnavailable = 3;
        },
        [/Deployment\/ovenspace-room: 3 replicas and no PodDisruptionBudget that keeps one running/],
    ],
    [
        'gateways without anti-affinity',
        (objs) => {
            delete workload(objs, GATEWAY).spec.template.spec.affinity;
        },
        [/StatefulSet\/ovenspace-gateway: 2 replicas without pod anti-affinity/],
    ],
    [
        'room replicas spread by a topology constraint instead (allowed)',
        (objs) => {
            const spec = workload(objs, ROOM).spec.template.spec;
            delete spec.affinity;
            spec.topologySpreadConstraints = [{
                maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway',
                labelSelector: { matchLabels: { 'app.kubernetes.io/name': ROOM } },
            }];
        },
        [],
    ],
    [
        'Redis ready only when the room service is: a cycle',
        (objs) => {
            container(objs, REDIS).readinessProbe = {
                exec: { command: ['sh', '-c', 'redis-cli ping && curl -f http://ovenspace-room:5000/readyz'] },
            };
        },
        [/ovenspace-room: readiness waits for ovenspace-redis .*a cycle ovenspace-room -> ovenspace-redis -> ovenspace-room/,
            /ovenspace-redis: readiness waits for ovenspace-room/],
    ],
    [
        'two Redis',
        (objs) => {
            workload(objs, REDIS).spec.replicas = 2;
        },
        [/Deployment\/ovenspace-redis: replicas is 2, must be 1/],
    ],
    [
        'store: redis and no Redis',
        (objs) => {
            drop(objs, 'Deployment', REDIS);
        },
        [/store: redis, but no workload 'ovenspace-redis'/, /the room's Redis URL \(ovenspace-redis:6379\): Service 'ovenspace-redis' selects 0 workloads/],
    ],
    [
        'Redis reachable by nobody',
        (objs) => {
            drop(objs, 'NetworkPolicy', REDIS);
        },
        [/Redis: ovenspace-redis:6379 is not reachable by ovenspace-room/],
    ],
    [
        'room.state_file with store: redis',
        (objs) => {
            edit_config(objs, (cfg) => {
                cfg.room.state_file = '/var/lib/ovenspace/room-state.json';
            });
        },
        [/room.state_file is set with store: redis, which ignores it/],
    ],
    [
        'an edge pod without a LoadBalancer of its own',
        (objs) => {
            drop(objs, 'Service', 'ovenspace-ome-edge-1-media');
        },
        [/edge pod ovenspace-ome-edge-1 has 0 LoadBalancer Services of its own/],
    ],
    [
        'a third edge pod with no ome.edges entry and no address',
        (objs) => {
            workload(objs, EDGE).spec.replicas = 3;
        },
        [/ome.edges has no entry probing edge pod ovenspace-ome-edge-2/, /edge pod ovenspace-ome-edge-2 has 0 LoadBalancer Services/],
    ],
    [
        'an ome.edges entry that probes every edge through one Service',
        (objs) => {
            const svc = objs.find((o) => o.kind === 'Service' && o.metadata.name === EDGE);
            svc.metadata.name = 'ovenspace-ome-edges';
            delete svc.spec.clusterIP;
            objs.push(Object.assign(structuredClone(svc), { metadata: { name: EDGE, namespace: 'ovenspace' } }));
            objs[objs.length - 1].spec.clusterIP = 'None';
            edit_config(objs, (cfg) => {
                cfg.ome.edges[1].probe_host = 'ovenspace-ome-edges';
            });
        },
        [/ome.edges 'edge-1': probe_host ovenspace-ome-edges is a Service in front of every edge/,
            /ome.edges has no entry probing edge pod ovenspace-ome-edge-1/],
    ],
    [
        'edges as one Deployment behind one address',
        (objs) => {
            const e = workload(objs, EDGE);
            e.kind = 'Deployment';
            delete e.spec.serviceName;
        },
        [/Deployment\/ovenspace-ome-edge: must be a StatefulSet/],
    ],
    [
        'the edges pull from the origin\'s signalling port',
        (objs) => {
            const cm = objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('ovenspace-ome-edge-env'));
            cm.data.OVENSPACE_OME_ORIGIN = 'ovenspace-ome-api:8081';
        },
        [/OVENSPACE_OME_ORIGIN reaches the origin's 'api' port, not 'ovt'/],
    ],
    [
        'edges whose viewers\' webhooks the gateway refuses',
        (objs) => {
            const np = objs.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === GATEWAY);
            np.spec.ingress[0].from = np.spec.ingress[0].from.slice(0, 1);
        },
        [/webhook endpoint: ovenspace-gateway:9595 is not reachable by ovenspace-ome-edge/],
    ],
];

function run(label, file, list) {
    const base = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS()).filter(Boolean);
    let failed = 0;
    for (const [name, breaks, want] of list) {
        const objects = structuredClone(base);
        const extra = breaks(objects) || {};
        const got = problems_of(objects, extra);
        const missing = want.filter((re) => !got.some((p) => re.test(p)));
        const unexpected = want.length === 0 ? got : [];
        if (missing.length || unexpected.length) {
            ++failed;
            console.error(`rules_test: ${label} '${name}':`);
            for (const re of missing) console.error(`  expected a problem matching ${re}`);
            for (const p of unexpected) console.error(`  unexpected problem: ${p}`);
            if (missing.length) for (const p of got) console.error(`  got: ${p}`);
        }
    }
    if (failed) console.error(`rules_test: ${label}: ${failed} of ${list.length} cases failed`);
    else console.log(`rules_test: ${label}: ${list.length} cases: each break is found, the render as it is passes`);
    return failed;
}

function main() {
    const [base, replicas] = process.argv.slice(2);
    if (!base) throw new Error('usage: rules_test.js RENDERED-BASE.yaml [RENDERED-REPLICAS.yaml]');
    let failed = run('base', base, cases);
    if (replicas) failed += run('replicas', replicas, replica_cases);
    if (failed) process.exit(1);
}

try {
    main();
} catch (e) {
    console.error(`rules_test.js: ${e.message}`);
    process.exit(2);
}
