#!/usr/bin/env node
// Proves the deployment rules can fail: takes a rendered base (which must
// pass), breaks it one way at a time, and checks that the rules name each
// break. The cases include the configuration issue 11 found: readiness that
// waited for the peer (a cycle through the gateway's own Service), a budget
// of minAvailable 1 on one replica, no preStop sleep, and 512 MiB next to
// 50,000 connections.
//
// Usage: node rules_test.js RENDERED-BASE.yaml
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
const container = (objects, name) => deployment(objects, name).spec.template.spec.containers[0];
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

function main() {
    const file = process.argv[2];
    if (!file) throw new Error('usage: rules_test.js RENDERED-BASE.yaml');
    const base = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS()).filter(Boolean);
    let failed = 0;
    for (const [name, breaks, want] of cases) {
        const objects = structuredClone(base);
        const extra = breaks(objects) || {};
        const got = problems_of(objects, extra);
        const missing = want.filter((re) => !got.some((p) => re.test(p)));
        const unexpected = want.length === 0 ? got : [];
        if (missing.length || unexpected.length) {
            ++failed;
            console.error(`rules_test: '${name}':`);
            for (const re of missing) console.error(`  expected a problem matching ${re}`);
            for (const p of unexpected) console.error(`  unexpected problem: ${p}`);
            if (missing.length) for (const p of got) console.error(`  got: ${p}`);
        }
    }
    if (failed) {
        console.error(`rules_test: ${failed} of ${cases.length} cases failed`);
        process.exit(1);
    }
    console.log(`rules_test: ${cases.length} cases: each break is found, the render as it is passes`);
}

try {
    main();
} catch (e) {
    console.error(`rules_test.js: ${e.message}`);
    process.exit(2);
}
