// Validates rendered Kubernetes manifests offline, the way the API server
// would before admitting them:
//   - every object against its kind's OpenAPI schema (types, required fields,
//     formats, enums): kubernetes-models for the built-in kinds and for the
//     CRDs Herald uses (KEDA, Prometheus Operator, Strimzi);
//   - strictly for built-in kinds: a field the API does not know (a typo such
//     as `readinesProbe`) is an error, as `kubectl apply --validate=strict`
//     makes it. Field names come from the official JavaScript client's models.
// An object of a kind with no schema here is an error too (add it below).
//
// usage: node validate.mjs FILE...      (multi-document YAML, e.g. `kubectl kustomize` output)
// exit 0 all valid, 1 invalid, 2 usage or unreadable input
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

// apiVersion/kind -> module exporting the kubernetes-models class.
const SCHEMAS = {
  "v1/Namespace": "kubernetes-models/v1/Namespace",
  "v1/ServiceAccount": "kubernetes-models/v1/ServiceAccount",
  "v1/Service": "kubernetes-models/v1/Service",
  "v1/ConfigMap": "kubernetes-models/v1/ConfigMap",
  "v1/Secret": "kubernetes-models/v1/Secret",
  "apps/v1/Deployment": "kubernetes-models/apps/v1/Deployment",
  "apps/v1/StatefulSet": "kubernetes-models/apps/v1/StatefulSet",
  "policy/v1/PodDisruptionBudget": "kubernetes-models/policy/v1/PodDisruptionBudget",
  "networking.k8s.io/v1/NetworkPolicy": "kubernetes-models/networking.k8s.io/v1/NetworkPolicy",
  "autoscaling/v2/HorizontalPodAutoscaler": "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler",
  "keda.sh/v1alpha1/ScaledObject": "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject",
  "monitoring.coreos.com/v1/ServiceMonitor": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor",
  "monitoring.coreos.com/v1/PrometheusRule": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule",
  "kafka.strimzi.io/v1beta2/KafkaTopic": "@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1beta2/KafkaTopic",
};

// The client's model class for a built-in kind: "apps/v1" + "Deployment" -> V1Deployment.
function clientModelName(apiVersion, kind) {
  const version = apiVersion.split("/").pop();
  return version.charAt(0).toUpperCase() + version.slice(1) + kind;
}

// Loaded up front (module loading is asynchronous; the walk is not): every
// model the client has, by class name.
const models = new Map();
async function loadModel(name) {
  if (models.has(name)) return;
  let cls = null;
  try {
    cls = (await import(`@kubernetes/client-node/dist/gen/models/${name}.js`))[name] ?? null;
  } catch {
    cls = null;
  }
  models.set(name, cls);
  if (!cls) return;
  for (const a of cls.getAttributeTypeMap()) {
    for (const t of a.type.match(/[A-Z][A-Za-z0-9]*/g) ?? []) if (t !== "Array" && t !== "Date") await loadModel(t);
  }
}
const model = (name) => models.get(name) ?? null;

// Reports fields the API does not define, walking the object with the
// client's attribute maps ({name, baseName, type}).
function unknownFields(value, type, path, out) {
  if (value === null || value === undefined) return;
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (Array.isArray(value)) value.forEach((v, i) => unknownFields(v, array[1], `${path}[${i}]`, out));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (typeof value === "object") for (const [k, v] of Object.entries(value)) unknownFields(v, map[1], `${path}.${k}`, out);
    return;
  }
  const cls = /^[A-Z]/.test(type) ? model(type) : null;
  if (!cls || typeof value !== "object" || Array.isArray(value)) return;  // scalars, IntOrString, any
  const attributes = new Map(cls.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  for (const [k, v] of Object.entries(value)) {
    if (!attributes.has(k)) out.push(`${path}.${k}: unknown field (not in ${type})`);
    else unknownFields(v, attributes.get(k), `${path}.${k}`, out);
  }
}

async function validate(doc) {
  const errors = [];
  const key = `${doc.apiVersion}/${doc.kind}`;
  const module = SCHEMAS[key];
  if (!module) return [`no schema for ${key} (add it to tools/k8s-validate/validate.mjs)`];
  const cls = Object.values(await import(module))[0];
  try {
    new cls(doc).validate();
  } catch (e) {
    errors.push(...String(e.message).split(/,\s*(?=data)/).map((m) => m.replace(/^data/, "")));
  }
  await loadModel(clientModelName(doc.apiVersion, doc.kind));
  const client = model(clientModelName(doc.apiVersion, doc.kind));
  if (client) unknownFields(doc, clientModelName(doc.apiVersion, doc.kind), "", errors);
  return errors;
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node validate.mjs FILE...");
  process.exit(2);
}
let objects = 0;
let failures = 0;
for (const file of files) {
  let docs;
  try {
    docs = parseAllDocuments(readFileSync(file, "utf8"));
  } catch (e) {
    console.error(`k8s-validate: ${file}: ${e.message}`);
    process.exit(2);
  }
  for (const d of docs) {
    if (d.errors.length) {
      console.error(`k8s-validate: ${file}: YAML: ${d.errors[0].message}`);
      failures++;
      continue;
    }
    const doc = d.toJS();
    if (!doc) continue;
    objects++;
    for (const e of await validate(doc)) {
      console.error(`k8s-validate: ${file}: ${doc.kind}/${doc.metadata?.name}: ${e}`);
      failures++;
    }
  }
}
if (failures) process.exit(1);
console.log(`k8s-validate: ${objects} objects valid`);
