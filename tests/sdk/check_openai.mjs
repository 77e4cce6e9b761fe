// The official OpenAI Node SDK against `sekimori serve` (embedded defaults, demo upstream).
// Run by scripts/sdk-check.sh, which starts the gateway and sets SEKIMORI_URL.
// The Node SDK decodes embeddings from base64 by default (an empty vector if the gateway
// ignored `encoding_format`), and its `responses.stream()` needs output items and ids.
import OpenAI from "openai";

const NAME = "森川陽菜";
const PROMPT = `${NAME}さん（電話 090-1234-5678）への返信を書いてください`;
const client = new OpenAI({ baseURL: `${process.env.SEKIMORI_URL}/v1`, apiKey: "sk-local", maxRetries: 0, timeout: 30000 });
let checks = 0;
function check(cond, what) {
  if (!cond) { console.error(`FAIL: ${what}`); process.exit(1); }
  checks += 1;
}

const emb = await client.embeddings.create({ model: "text-embedding-3-small", input: `${NAME}の相談記録` });
const vec = emb.data[0].embedding;
check(Array.isArray(vec) && vec.length > 0 && vec.every((x) => typeof x === "number"), "embedding decoded");

const chat = await client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: PROMPT }] });
check(chat.choices[0].message.content.includes(NAME), "chat restored");

const stream = client.responses.stream({ model: "gpt-4o", input: PROMPT });
let text = "";
for await (const e of stream) if (e.type === "response.output_text.delta") text += e.delta;
const final = await stream.finalResponse();
check(text.includes(NAME), "responses.stream deltas restored");
check(final.output_text.includes(NAME), "responses.stream final restored");

const models = [];
for await (const m of client.models.list()) models.push(m.id);
check(models.includes("demo"), "models.list lists the demo model");

console.log(`openai-node: ${checks} checks passed`);
