// Reads the Prometheus text exposition format on stdin and writes the parsed metric families as one JSON array
// (the shape of prom2json): [{"name", "help", "type", "metrics": [{"labels", "value"} or {"buckets", "count", "sum"}]}].
const parse = require('parse-prometheus-text-format');
let text = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', chunk => { text += chunk; });
process.stdin.on('end', () => { process.stdout.write(JSON.stringify(parse(text))); });
