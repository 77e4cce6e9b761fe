"""The official OpenAI Python SDK against `sekimori serve` (embedded defaults, demo upstream).

Run by scripts/sdk-check.sh, which starts the gateway and sets SEKIMORI_URL. Checks what a
new user's first script does: chat, the Responses API with `responses.stream()` (its
helper needs output items and item ids), embeddings in the SDK's default base64 encoding,
and `models.list()`. Every value is invented; the demo upstream reports what it received
in `sekimori_demo.upstream_received`, so the masking is asserted too.
"""

import base64
import os
import struct
import sys

from openai import OpenAI

NAME = "森川陽菜"
PHONE = "090-1234-5678"
PROMPT = f"{NAME}さん（電話 {PHONE}）への返信を書いてください"

client = OpenAI(base_url=os.environ["SEKIMORI_URL"] + "/v1", api_key="sk-local", max_retries=0, timeout=30)
checks = 0


def check(cond, what):
    global checks
    if not cond:
        print(f"FAIL: {what}", file=sys.stderr)
        sys.exit(1)
    checks += 1


# Chat: the answer is restored, the upstream saw placeholders.
chat = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": PROMPT}])
answer = chat.choices[0].message.content
check(NAME in answer and PHONE in answer, "chat answer restored")
seen = str(chat.model_extra.get("sekimori_demo", {}).get("upstream_received"))
check(NAME not in seen and PHONE not in seen and "〔氏名-" in seen, "chat upstream got placeholders")

# Chat, streamed.
parts = []
for chunk in client.chat.completions.create(
    model="gpt-4o", messages=[{"role": "user", "content": PROMPT}], stream=True
):
    if chunk.choices and chunk.choices[0].delta.content:
        parts.append(chunk.choices[0].delta.content)
check(NAME in "".join(parts), "chat stream restored")

# Responses API, plain and through the SDK's stream helper.
resp = client.responses.create(model="gpt-4o", input=PROMPT)
check(NAME in resp.output_text, "responses output_text restored")
with client.responses.stream(model="gpt-4o", input=PROMPT) as stream:
    deltas = [e.delta for e in stream if e.type == "response.output_text.delta"]
    final = stream.get_final_response()
check(NAME in "".join(deltas), "responses.stream deltas restored")
check(NAME in final.output_text, "responses.stream final response restored")

# Embeddings: the SDK asks for base64 by default and decodes it into floats.
emb = client.embeddings.create(model="text-embedding-3-small", input=f"{NAME}の相談記録")
vec = emb.data[0].embedding
check(len(vec) > 0 and all(isinstance(x, float) for x in vec), "embedding decoded from base64")
raw = client.embeddings.create(model="text-embedding-3-small", input="x", encoding_format="base64")
check(len(base64.b64decode(raw.data[0].embedding)) % struct.calcsize("<f") == 0, "base64 embedding is float32")

# Models: chat front ends ask first; the embedded defaults' catalogue lists the demo.
models = [m.id for m in client.models.list()]
check("demo" in models, "models.list lists the demo model")

# A refusal is an SDK exception with Sekimori's code, readable.
try:
    client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "個人番号は123456789018です"}]
    )
    check(False, "My Number refused")
except Exception as e:  # openai.BadRequestError or APIStatusError
    check("123456789018" not in str(e), "refusal names no value")
    checks += 1

print(f"openai-python {__import__('openai').__version__}: {checks} checks passed")
