#!/usr/bin/env node
// Checks one rendered kustomize output (multi-document YAML) offline:
//  1. every object validates against the Kubernetes OpenAPI schemas
//     (kubernetes-models: types, required fields, enums, formats);
//  2. the rules OvenSpace's deployment promises: replicas as the store
//     allows (memory: one room service and one gateway; redis: several,
//     with budgets, spread over nodes, every gateway and edge pod addressed),
//     probes, resources, the restricted security context, Services that
//     really select and reach their pods, NetworkPolicies that let only the
//     gateway reach OME's API, only OME reach the webhook port and only the
//     room service reach the link port, an Ingress fit for WebSockets, no
//     readiness probe that waits for a peer behind a Service that routes
//     only to Ready pods (the cycle issue 11 found), disruption budgets that
//     let a drain through, a preStop sleep and graceful stop that fit the
//     grace period, memory limits that fit the connection limits, no
//     real-looking Secret in the tree;
//  3. the OvenSpace config in the ConfigMap agrees with the Services (the
//     hosts and ports it dials exist).
// With --out DIR it writes the ConfigMap's config to DIR/ovenspace.yaml so
// the binaries can be started from exactly what the pods mount.
//
// Usage: node validate.js RENDERED.yaml [--name NAME] [--out DIR] [--forbid-secrets]
'use strict';

const fs = require('fs');
const path = require('path');
const YAML = require('yaml');
const { rules, secret_access } = require('./rules');

function parse_args(argv) {
    const args = { file: null, name: null, out: null, forbid_secrets: false };
    for (let i = 0; i < argv.length; ++i) {
        const a = argv[i];
        if (a === '--name') args.name = argv[++i];
        else if (a === '--out') args.out = argv[++i];
        else if (a === '--forbid-secrets') args.forbid_secrets = true;
        else if (!args.file) args.file = a;
        else throw new Error(`unexpected argument '${a}'`);
    }
    if (!args.file) throw new Error('usage: validate.js RENDERED.yaml [--name NAME] [--out DIR] [--forbid-secrets]');
    args.name = args.name || path.basename(args.file);
    return args;
}

// The kubernetes-models class for an object, e.g. apps/v1 Deployment.
function model_for(obj) {
    const api = obj.apiVersion || '';
    const module_path = `kubernetes-models/${api}/${obj.kind}`;
    try {
        return require(module_path)[obj.kind];
    } catch (e) {
        return null;
    }
}

function schema_errors(obj) {
    const Model = model_for(obj);
    if (!Model) return [`no schema for apiVersion '${obj.apiVersion}' kind '${obj.kind}'`];
    try {
        new Model(obj).validate();
        return [];
    } catch (e) {
        return [e.message];
    }
}

function main() {
    const args = parse_args(process.argv.slice(2));
    const text = fs.readFileSync(args.file, 'utf8');
    const docs = YAML.parseAllDocuments(text);
    const objects = [];
    const problems = [];
    for (const doc of docs) {
        if (doc.errors.length) {
            problems.push(`YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
            continue;
        }
        const obj = doc.toJS();
        if (obj) objects.push(obj);
    }
    if (!objects.length) problems.push('the render holds no objects');

    for (const obj of objects) {
        const id = `${obj.kind}/${obj.metadata && obj.metadata.name}`;
        for (const err of schema_errors(obj)) problems.push(`${id}: schema: ${err}`);
    }
    const ctx = { objects, forbid_secrets: args.forbid_secrets, config: null, problems };
    for (const rule of rules) {
        try {
            rule.check(ctx);
        } catch (e) {
            problems.push(`${rule.name}: ${e.message}`);
        }
    }

    if (args.out && ctx.config_text) {
        fs.mkdirSync(args.out, { recursive: true });
        fs.writeFileSync(path.join(args.out, 'ovenspace.yaml'), ctx.config_text);
        // What each of our pods gets of the Secrets, as an environment for
        // the service run by check_deploy.sh: NAME=value for variables,
        // NAME_FILE=<a local copy> for mounted files. Values: the example
        // Secret's fakes when the render has it, else stand-ins for Secrets
        // created outside the tree.
        const files = path.join(args.out, 'secret-files');
        fs.mkdirSync(files, { recursive: true });
        // (A stand-in Redis URL must still be a redis:// URL.)
        const stand_in = (key) =>
            key === 'OVENSPACE_REDIS_URL'
                ? 'redis://:check-only-stand-in-redis-password@ovenspace-redis:6379'
                : `check-only-stand-in-${key.toLowerCase()}-0123456789`;
        const value_of = (secret, key) => ((ctx.secret_values || {})[secret] || {})[key] || stand_in(key);
        for (const [service, deployment] of [['room', 'ovenspace-room'], ['gateway', 'ovenspace-gateway']]) {
            const d = objects.find((o) => ['Deployment', 'StatefulSet'].includes(o.kind) && o.metadata.name === deployment);
            const lines = [];
            for (const c of d ? d.spec.template.spec.containers : []) {
                const access = secret_access(d, c);
                for (const [name, how] of Object.entries(access.vars)) {
                    if (how.file) {
                        const local = path.join(files, `${service}-${name}`);
                        fs.writeFileSync(local, value_of(how.secret, how.key) + '\n');
                        lines.push(`${name}_FILE=${local}`);
                    } else if (how.key === '*') {
                        for (const [k, v] of Object.entries((ctx.secret_values || {})[how.secret] || {})) lines.push(`${k}=${v}`);
                    } else lines.push(`${name}=${value_of(how.secret, how.key)}`);
                }
            }
            fs.writeFileSync(path.join(args.out, `${service}.secrets.env`), lines.map((l) => l + '\n').join(''));
        }
    }

    const kinds = {};
    for (const o of objects) kinds[o.kind] = (kinds[o.kind] || 0) + 1;
    const summary = Object.entries(kinds).map(([k, n]) => `${n} ${k}`).join(', ');
    if (problems.length) {
        console.error(`k8s ${args.name}: ${problems.length} problem(s) in ${objects.length} objects:`);
        for (const p of problems) console.error(`  - ${p}`);
        process.exit(1);
    }
    console.log(`k8s ${args.name}: ${objects.length} objects valid (${summary}); ${rules.length} rule groups hold`);
}

try {
    main();
} catch (e) {
    console.error(`validate.js: ${e.message}`);
    process.exit(2);
}
