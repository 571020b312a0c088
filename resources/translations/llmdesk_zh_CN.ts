<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>Catalog</name>
    <message>
        <source>Meta&apos;s 2023 dialogue model; 4k context, full multi-head attention (no GQA), so its KV cache is large for its size.</source>
        <translation>Meta 2023 年发布的对话模型；上下文长度 4k，使用完整多头注意力（无 GQA），因此 KV 缓存相对其规模偏大。</translation>
    </message>
    <message>
        <source>llama.cpp perplexity (wikitext-2) versus F16 measured on Llama-3-8B; applied to this model as an approximation</source>
        <translation>llama.cpp 在 Llama-3-8B 上测得的相对 F16 困惑度（wikitext-2）；作为近似值套用到本模型</translation>
    </message>
    <message>
        <source>Meta&apos;s 2023 dialogue model; 4k context, full multi-head attention (no GQA).</source>
        <translation>Meta 2023 年发布的对话模型；上下文长度 4k，使用完整多头注意力（无 GQA）。</translation>
    </message>
    <message>
        <source>Meta&apos;s largest Llama 2 dialogue model; 4k context, grouped-query attention with 8 KV heads.</source>
        <translation>Meta 最大的 Llama 2 对话模型；上下文长度 4k，分组查询注意力，8 个 KV 头。</translation>
    </message>
    <message>
        <source>Meta&apos;s April 2024 instruction model; 8k context, 128k-token vocabulary.</source>
        <translation>Meta 2024 年 4 月发布的指令模型；上下文长度 8k，词表约 128k 个词元。</translation>
    </message>
    <message>
        <source>llama.cpp perplexity (wikitext-2) versus F16 measured on Llama-3-8B, the base of this model</source>
        <translation>llama.cpp 在本模型的基础模型 Llama-3-8B 上测得的相对 F16 困惑度（wikitext-2）</translation>
    </message>
    <message>
        <source>Meta&apos;s July 2024 instruction model; 128k context, multilingual, tool use.</source>
        <translation>Meta 2024 年 7 月发布的指令模型；上下文长度 128k，支持多语言和工具调用。</translation>
    </message>
    <message>
        <source>Meta&apos;s smallest Llama 3.2 text model, pruned and distilled from Llama 3.1 8B; 128k context, tied embeddings.</source>
        <translation>Meta 最小的 Llama 3.2 文本模型，由 Llama 3.1 8B 剪枝并蒸馏而来；上下文长度 128k，输入输出共享嵌入。</translation>
    </message>
    <message>
        <source>Meta&apos;s small Llama 3.2 text model for constrained devices; 128k context, tied embeddings.</source>
        <translation>Meta 面向资源受限设备的小型 Llama 3.2 文本模型；上下文长度 128k，输入输出共享嵌入。</translation>
    </message>
    <message>
        <source>Meta&apos;s December 2024 70B instruction model; 128k context, multilingual.</source>
        <translation>Meta 2024 年 12 月发布的 70B 指令模型；上下文长度 128k，支持多语言。</translation>
    </message>
    <message>
        <source>Mistral AI&apos;s 7B instruction model, v0.3: 32768-token vocabulary, function calling, 32k context without a sliding window.</source>
        <translation>Mistral AI 的 7B 指令模型 v0.3：词表 32768 个词元，支持函数调用，上下文长度 32k，不使用滑动窗口。</translation>
    </message>
    <message>
        <source>Mistral AI and NVIDIA&apos;s 12B model with the Tekken tokenizer; trained with a 128k context window (config.json and the GGUF header state 1024000 positions, the catalog uses the documented 128k).</source>
        <translation>Mistral AI 与 NVIDIA 联合推出的 12B 模型，使用 Tekken 分词器；训练时的上下文窗口为 128k（config.json 和 GGUF 头中写的是 1024000 个位置，目录采用官方文档中的 128k）。</translation>
    </message>
    <message>
        <source>Mistral AI&apos;s January 2025 24B instruction model; 32k context, Tekken tokenizer.</source>
        <translation>Mistral AI 2025 年 1 月发布的 24B 指令模型；上下文长度 32k，使用 Tekken 分词器。</translation>
    </message>
    <message>
        <source>Mistral AI&apos;s sparse mixture-of-experts model: 8 experts per layer, 2 active per token; all weights must be in memory, but each token reads only about 13B parameters.</source>
        <translation>Mistral AI 的稀疏混合专家（MoE）模型：每层 8 个专家，每个词元激活 2 个；全部权重都必须装入内存，但每个词元只读取约 13B 参数。</translation>
    </message>
    <message>
        <source>DeepSeek&apos;s first 7B chat model (2023), trained on 2T English and Chinese tokens; 4k context, full multi-head attention.</source>
        <translation>DeepSeek 的第一个 7B 对话模型（2023 年），在 2T 个中英文词元上训练；上下文长度 4k，使用完整多头注意力。</translation>
    </message>
    <message>
        <source>DeepSeek&apos;s 67B chat model (2023); 4k context, 95 layers with grouped-query attention.</source>
        <translation>DeepSeek 的 67B 对话模型（2023 年）；上下文长度 4k，95 层，使用分组查询注意力。</translation>
    </message>
    <message>
        <source>Reasoning model distilled from DeepSeek-R1 outputs; writes its chain of thought inside &lt;think&gt; tags before the answer. Base: Qwen2.5-Math-1.5B (Apache-2.0).</source>
        <translation>从 DeepSeek-R1 的输出蒸馏而来的推理模型；先在 &lt;think&gt; 标签内写出思考过程，再给出回答。基础模型：Qwen2.5-Math-1.5B（Apache-2.0）。</translation>
    </message>
    <message>
        <source>Reasoning model distilled from DeepSeek-R1 outputs; writes its chain of thought inside &lt;think&gt; tags before the answer. Base: Qwen2.5-Math-7B (Apache-2.0).</source>
        <translation>从 DeepSeek-R1 的输出蒸馏而来的推理模型；先在 &lt;think&gt; 标签内写出思考过程，再给出回答。基础模型：Qwen2.5-Math-7B（Apache-2.0）。</translation>
    </message>
    <message>
        <source>Reasoning model distilled from DeepSeek-R1 outputs; writes its chain of thought inside &lt;think&gt; tags before the answer. Base: Qwen2.5-14B (Apache-2.0).</source>
        <translation>从 DeepSeek-R1 的输出蒸馏而来的推理模型；先在 &lt;think&gt; 标签内写出思考过程，再给出回答。基础模型：Qwen2.5-14B（Apache-2.0）。</translation>
    </message>
    <message>
        <source>Reasoning model distilled from DeepSeek-R1 outputs; writes its chain of thought inside &lt;think&gt; tags before the answer. Base: Qwen2.5-32B (Apache-2.0).</source>
        <translation>从 DeepSeek-R1 的输出蒸馏而来的推理模型；先在 &lt;think&gt; 标签内写出思考过程，再给出回答。基础模型：Qwen2.5-32B（Apache-2.0）。</translation>
    </message>
    <message>
        <source>Reasoning model distilled from DeepSeek-R1 outputs; writes its chain of thought inside &lt;think&gt; tags before the answer. Base: Llama-3.1-8B, whose Llama 3.1 Community License terms also apply.</source>
        <translation>从 DeepSeek-R1 的输出蒸馏而来的推理模型；先在 &lt;think&gt; 标签内写出思考过程，再给出回答。基础模型：Llama-3.1-8B，因此同样适用 Llama 3.1 Community License 的条款。</translation>
    </message>
    <message>
        <source>Reasoning model distilled from DeepSeek-R1 outputs; writes its chain of thought inside &lt;think&gt; tags before the answer. Base: Llama-3.3-70B-Instruct, whose Llama 3.3 Community License terms also apply.</source>
        <translation>从 DeepSeek-R1 的输出蒸馏而来的推理模型；先在 &lt;think&gt; 标签内写出思考过程，再给出回答。基础模型：Llama-3.3-70B-Instruct，因此同样适用 Llama 3.3 Community License 的条款。</translation>
    </message>
    <message>
        <source>DeepSeek&apos;s mixture-of-experts code model: 64 routed experts (6 active) plus 2 shared experts per layer, multi-head latent attention (compressed KV cache), 128k context (163840 positions in config.json). DeepSeek quotes 2.4B active parameters excluding embeddings.</source>
        <translation>DeepSeek 的混合专家（MoE）代码模型：每层 64 个路由专家（激活 6 个）加 2 个共享专家，使用多头潜在注意力（压缩 KV 缓存），上下文长度 128k（config.json 中为 163840 个位置）。DeepSeek 公布的激活参数为 2.4B（不含嵌入）。</translation>
    </message>
</context>
<context>
    <name>CatalogTableModel</name>
    <message>
        <source>not estimated yet</source>
        <translation>尚未估算</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Verdict</source>
        <translation>结论</translation>
    </message>
    <message>
        <source>Quant</source>
        <translation>量化</translation>
    </message>
    <message>
        <source>Est. speed</source>
        <translation>预计速度</translation>
    </message>
    <message>
        <source>File size</source>
        <translation>文件大小</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>所需内存</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>Family</source>
        <translation>系列</translation>
    </message>
    <message>
        <source>Licence</source>
        <translation>许可证</translation>
    </message>
    <message>
        <source>The quantization recommended for this machine; the Details tab lists all of them.</source>
        <translation>本机推荐的量化；“详情”标签页列出全部量化。</translation>
    </message>
    <message>
        <source>Estimated decoding speed in tokens per second for the recommended quant.</source>
        <translation>推荐量化的预计生成速度（每秒 token 数）。</translation>
    </message>
    <message>
        <source>Memory the recommended quant needs at the chosen context length: weights, KV cache, compute buffers, overhead and a safety margin.</source>
        <translation>推荐量化在所选上下文长度下需要的内存：权重、KV 缓存、计算缓冲区、运行开销和安全余量。</translation>
    </message>
    <message>
        <source>Published score of the original model; hover a cell for its source.</source>
        <translation>原始模型公布的得分；将鼠标悬停在单元格上可查看来源。</translation>
    </message>
    <message>
        <source>No published score.</source>
        <translation>没有公布的得分。</translation>
    </message>
    <message>
        <source>{name}{setting}: {value}
Source: {source}</source>
        <translation>{name}{setting}：{value}
来源：{source}</translation>
    </message>
    <message>
        <source>Weights: {size}</source>
        <translation>权重：{size}</translation>
    </message>
    <message>
        <source>KV cache: {size}</source>
        <translation>KV 缓存：{size}</translation>
    </message>
    <message>
        <source>Compute buffers: {size}</source>
        <translation>计算缓冲区：{size}</translation>
    </message>
    <message>
        <source>Runtime overhead: {size}</source>
        <translation>运行开销：{size}</translation>
    </message>
    <message>
        <source>Safety margin: {size}</source>
        <translation>安全余量：{size}</translation>
    </message>
    <message>
        <source>Total: {size}</source>
        <translation>合计：{size}</translation>
    </message>
    <message>
        <source>On the GPU: {need} of {free} free</source>
        <translation>GPU：需要 {need}，可用 {free}</translation>
    </message>
    <message>
        <source>In RAM: {need} of {free} available</source>
        <translation>内存：需要 {need}，可用 {free}</translation>
    </message>
</context>
<context>
    <name>CatalogView</name>
    <message>
        <source>Search models…</source>
        <translation>搜索模型…</translation>
    </message>
    <message>
        <source>All families</source>
        <translation>全部系列</translation>
    </message>
    <message>
        <source>Fits only</source>
        <translation>只看能运行的</translation>
    </message>
    <message>
        <source>Hide models that do not run on this machine at the chosen context length.</source>
        <translation>隐藏在所选上下文长度下无法在本机运行的模型。</translation>
    </message>
    <message>
        <source>{tokens} tokens</source>
        <translation>{tokens} token</translation>
    </message>
    <message>
        <source>Context length: how many tokens of conversation the model keeps. Longer contexts need more memory for the KV cache.</source>
        <translation>上下文长度：模型能记住多少 token 的对话。上下文越长，KV 缓存占用的内存越多。</translation>
    </message>
    <message>
        <source>Context length:</source>
        <translation>上下文长度：</translation>
    </message>
    <message>
        <source>KV cache:</source>
        <translation>KV 缓存：</translation>
    </message>
    <message>
        <source>Prefer:</source>
        <translation>偏好：</translation>
    </message>
    <message numerus="yes">
        <source>%n model(s)</source>
        <translation>
            <numerusform>%n 个模型</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n of %1 model(s) shown</source>
        <translation>
            <numerusform>显示 %n 个（共 %1 个）模型</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ChatPage</name>
    <message>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Message the model (Enter sends, Shift+Enter adds a line)</source>
        <translation>给模型发消息（Enter 发送，Shift+Enter 换行）</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Stop the reply (Esc)</source>
        <translation>停止回复（Esc）</translation>
    </message>
    <message>
        <source>Regenerate</source>
        <translation>重新生成</translation>
    </message>
    <message>
        <source>Write the last reply again</source>
        <translation>重新生成上一条回复</translation>
    </message>
    <message>
        <source>Edit last</source>
        <translation>编辑上一条</translation>
    </message>
    <message>
        <source>Put your last message back in the box to change and resend it</source>
        <translation>把你的上一条消息放回输入框，修改后重新发送</translation>
    </message>
    <message>
        <source>Context: –</source>
        <translation>上下文：–</translation>
    </message>
    <message>
        <source>Tokens of this chat the model sees, out of its context length</source>
        <translation>模型看到的本对话 token 数，以及其上下文长度</translation>
    </message>
    <message>
        <source>Performance</source>
        <translation>性能</translation>
    </message>
    <message>
        <source>Chat settings</source>
        <translation>对话设置</translation>
    </message>
    <message>
        <source>The output filter is unavailable: {error}</source>
        <translation>输出过滤器不可用：{error}</translation>
    </message>
    <message>
        <source>New chat</source>
        <translation>新对话</translation>
    </message>
    <message>
        <source>Start a chat with New chat or Ctrl+N, then choose a model and press Load.</source>
        <translation>点击“新对话”或按 Ctrl+N 开始对话，然后选择模型并点击“加载”。</translation>
    </message>
    <message>
        <source>Type a message below to start.</source>
        <translation>在下方输入消息开始对话。</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>cut off: the engine stopped</source>
        <translation>已中断：推理引擎停止</translation>
    </message>
    <message>
        <source>cut off: the app was closed</source>
        <translation>已中断：应用被关闭</translation>
    </message>
    <message>
        <source>stopped by the output filter</source>
        <translation>被输出过滤器停止</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>The model could not be loaded: {reason}</source>
        <translation>无法加载模型：{reason}</translation>
    </message>
    <message>
        <source>GPU layers {before} → {after}</source>
        <translation>GPU 层数 {before} → {after}</translation>
    </message>
    <message>
        <source>context {before} → {after} tokens</source>
        <translation>上下文 {before} → {after} token</translation>
    </message>
    <message>
        <source>Retry loads the model again with the same settings.</source>
        <translation>重试将以相同设置重新加载模型。</translation>
    </message>
    <message>
        <source>Retry uses: {changes}.</source>
        <translation>重试将使用：{changes}。</translation>
    </message>
    <message>
        <source>Load a model first: choose one above and press Load.</source>
        <translation>请先加载模型：在上方选择一个模型并点击“加载”。</translation>
    </message>
    <message>
        <source>Personal data in your message</source>
        <translation>消息中含有个人信息</translation>
    </message>
    <message>
        <source>Your message seems to contain personal data ({rules}). Send it anyway?</source>
        <translation>你的消息似乎含有个人信息（{rules}）。仍要发送吗？</translation>
    </message>
    <message>
        <source>Context: {used} / {total} tokens</source>
        <translation>上下文：{used} / {total} token</translation>
    </message>
    <message numerus="yes">
        <source>%n older message(s) were left out so the reply fits in the context of {n_ctx} tokens.</source>
        <translation>
            <numerusform>为使回复能放进 {n_ctx} token 的上下文，省略了 %n 条较早的消息。</numerusform>
        </translation>
    </message>
    <message>
        <source>Output filter: {rules}</source>
        <translation>输出过滤：{rules}</translation>
    </message>
    <message>
        <source>The reply stopped because the context is full.</source>
        <translation>上下文已满，回复已停止。</translation>
    </message>
    <message>
        <source>The reply ended while the model was still thinking; raise Max tokens in the chat settings and regenerate.</source>
        <translation>模型还在思考时回复就结束了；请在对话设置中调高“最大 token 数”，然后重新生成。</translation>
    </message>
    <message>
        <source>The reply failed: {reason}</source>
        <translation>回复失败：{reason}</translation>
    </message>
</context>
<context>
    <name>ChatSettingsPanel</name>
    <message>
        <source>Optional instructions the model sees before the chat</source>
        <translation>可选：模型在对话开始前看到的指令</translation>
    </message>
    <message>
        <source>0 picks the most likely token every time</source>
        <translation>0 表示每次都选择可能性最大的 token</translation>
    </message>
    <message>
        <source>Nucleus sampling threshold</source>
        <translation>核采样阈值</translation>
    </message>
    <message>
        <source>0 disables top-k</source>
        <translation>0 表示关闭 top-k</translation>
    </message>
    <message>
        <source>Drop tokens less likely than this fraction of the best one</source>
        <translation>丢弃概率低于最佳 token 此比例的 token</translation>
    </message>
    <message>
        <source>Above 1 discourages repeating recent tokens</source>
        <translation>大于 1 时抑制重复最近出现的 token</translation>
    </message>
    <message>
        <source>Longest reply, in tokens</source>
        <translation>回复的最大长度（token 数）</translation>
    </message>
    <message>
        <source>-1 picks a new random seed for every reply</source>
        <translation>-1 表示每次回复都使用新的随机种子</translation>
    </message>
    <message>
        <source>random</source>
        <translation>随机</translation>
    </message>
    <message>
        <source>Sampling</source>
        <translation>采样</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <source>Top-p</source>
        <translation>Top-p</translation>
    </message>
    <message>
        <source>Top-k</source>
        <translation>Top-k</translation>
    </message>
    <message>
        <source>Min-p</source>
        <translation>Min-p</translation>
    </message>
    <message>
        <source>Repeat penalty</source>
        <translation>重复惩罚</translation>
    </message>
    <message>
        <source>Max tokens</source>
        <translation>最大 token 数</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <source>Output filter</source>
        <translation>输出过滤</translation>
    </message>
    <message>
        <source>System prompt</source>
        <translation>系统提示词</translation>
    </message>
</context>
<context>
    <name>CodeBlock</name>
    <message>
        <source>code</source>
        <translation>代码</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy this code block to the clipboard</source>
        <translation>将此代码块复制到剪贴板</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>已复制</translation>
    </message>
</context>
<context>
    <name>ConversationList</name>
    <message>
        <source>Search chats</source>
        <translation>搜索对话</translation>
    </message>
    <message>
        <source>New chat</source>
        <translation>新对话</translation>
    </message>
    <message>
        <source>Start a new chat (Ctrl+N)</source>
        <translation>开始新对话（Ctrl+N）</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <source>Rename chat</source>
        <translation>重命名对话</translation>
    </message>
    <message>
        <source>Title:</source>
        <translation>标题：</translation>
    </message>
    <message>
        <source>A chat title cannot be empty.</source>
        <translation>对话标题不能为空。</translation>
    </message>
    <message>
        <source>Delete chat</source>
        <translation>删除对话</translation>
    </message>
    <message>
        <source>Delete the chat “{title}” and all its messages? This cannot be undone.</source>
        <translation>删除对话“{title}”及其全部消息？此操作无法撤销。</translation>
    </message>
</context>
<context>
    <name>DetailPane</name>
    <message>
        <source>No model selected</source>
        <translation>未选择模型</translation>
    </message>
    <message>
        <source>Select a model in the table to see how it fits this machine.</source>
        <translation>在表格中选择一个模型，查看它在本机上的适配情况。</translation>
    </message>
    <message>
        <source>Quant</source>
        <translation>量化</translation>
    </message>
    <message>
        <source>File size</source>
        <translation>文件大小</translation>
    </message>
    <message>
        <source>Verdict</source>
        <translation>结论</translation>
    </message>
    <message>
        <source>Est. speed</source>
        <translation>预计速度</translation>
    </message>
    <message>
        <source>GPU layers</source>
        <translation>GPU 层数</translation>
    </message>
    <message>
        <source>Quality loss</source>
        <translation>质量损失</translation>
    </message>
    <message>
        <source>Memory needed to run this quantization: weights, KV cache, compute buffers and a margin</source>
        <translation>运行此量化所需的内存：权重、KV 缓存、计算缓冲区和余量</translation>
    </message>
    <message>
        <source>Estimated decoding speed</source>
        <translation>预计解码速度</translation>
    </message>
    <message>
        <source>How this was worked out</source>
        <translation>计算过程</translation>
    </message>
    <message>
        <source>No estimate: {error}</source>
        <translation>无法估算：{error}</translation>
    </message>
    <message>
        <source>Model page</source>
        <translation>模型主页</translation>
    </message>
    <message>
        <source>Recommended for this machine</source>
        <translation>本机推荐</translation>
    </message>
    <message>
        <source>≈ {size}</source>
        <translation>≈ {size}</translation>
    </message>
    <message>
        <source>Perplexity increase versus F16. Source: {source}</source>
        <translation>相对 F16 的困惑度增幅。来源：{source}</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>下载</translation>
    </message>
    <message>
        <source>Download {file} from {repo}</source>
        <translation>从 {repo} 下载 {file}</translation>
    </message>
    <message>
        <source>+{value} % perplexity</source>
        <translation>困惑度 +{value} %</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>内存</translation>
    </message>
    <message>
        <source>Published scores of the original model</source>
        <translation>原始模型公布的得分</translation>
    </message>
    <message>
        <source>fits on the GPU</source>
        <translation>可放进 GPU</translation>
    </message>
    <message>
        <source>only in system RAM (very slow)</source>
        <translation>只能放进系统内存（非常慢）</translation>
    </message>
    <message>
        <source>does not fit</source>
        <translation>装不下</translation>
    </message>
    <message>
        <source>Fine-tuning</source>
        <translation>微调</translation>
    </message>
</context>
<context>
    <name>Download</name>
    <message>
        <source>Not found (HTTP 404): {url}. Check the repository name, the file name and the revision.</source>
        <translation>未找到（HTTP 404）：{url}。请检查仓库名、文件名和版本。</translation>
    </message>
    <message>
        <source>The server rejected the request (HTTP {status} {reason}) for {url}.</source>
        <translation>服务器拒绝了对 {url} 的请求（HTTP {status} {reason}）。</translation>
    </message>
    <message>
        <source>Access denied (HTTP {status}) for {url}. The repository may be gated: open the model page on Hugging Face, accept its licence, then enter an access token in Settings &gt; Downloads (or set the HF_TOKEN environment variable).</source>
        <translation>访问 {url} 被拒绝（HTTP {status}）。该仓库可能需要授权：请在 Hugging Face 上打开模型页面并接受其许可协议，然后在“设置 &gt; 下载”中填写访问令牌（或设置环境变量 HF_TOKEN）。</translation>
    </message>
    <message>
        <source>The server failed (HTTP {status} {reason}) for {url}; attempts made: {attempts}. Try again later or switch the download source in Settings &gt; Downloads.</source>
        <translation>服务器处理 {url} 时出错（HTTP {status} {reason}），已尝试 {attempts} 次。请稍后再试，或在“设置 &gt; 下载”中切换下载源。</translation>
    </message>
    <message>
        <source>Could not download from {host}: {reason} (attempts made: {attempts}). Check the network connection and proxy settings, or switch the download source in Settings &gt; Downloads.</source>
        <translation>无法从 {host} 下载：{reason}（已尝试 {attempts} 次）。请检查网络连接和代理设置，或在“设置 &gt; 下载”中切换下载源。</translation>
    </message>
    <message>
        <source>The connection to {host} closed before the whole file arrived (attempts made: {attempts}). The data received so far is kept; resume later or switch the download source in Settings &gt; Downloads.</source>
        <translation>与 {host} 的连接在文件传完之前就断开了（已尝试 {attempts} 次）。已收到的数据会保留；请稍后继续下载，或在“设置 &gt; 下载”中切换下载源。</translation>
    </message>
    <message>
        <source>No data arrived from {host} for {seconds} s (attempts made: {attempts}). The download is kept; resume it later or switch the download source.</source>
        <translation>{seconds} 秒内没有从 {host} 收到任何数据（已尝试 {attempts} 次）。下载进度已保留；请稍后继续，或切换下载源。</translation>
    </message>
    <message>
        <source>Retry {attempt} of {retries} in {seconds} s: {reason}.</source>
        <translation>{seconds} 秒后进行第 {attempt} 次重试（共 {retries} 次）：{reason}。</translation>
    </message>
    <message>
        <source>the server refused the connection</source>
        <translation>服务器拒绝了连接</translation>
    </message>
    <message>
        <source>the host name was not found</source>
        <translation>找不到该主机名</translation>
    </message>
    <message>
        <source>the server reset the connection</source>
        <translation>服务器重置了连接</translation>
    </message>
    <message>
        <source>the connection closed before the whole file arrived</source>
        <translation>连接在文件传完之前就断开了</translation>
    </message>
    <message>
        <source>no data for {seconds} s</source>
        <translation>{seconds} 秒内没有收到数据</translation>
    </message>
    <message>
        <source>the server answered HTTP {status} {reason}</source>
        <translation>服务器返回 HTTP {status} {reason}</translation>
    </message>
    <message>
        <source>{host}: {reason}</source>
        <translation>{host}：{reason}</translation>
    </message>
    <message>
        <source>The server sent a web page instead of the model file ({url}). This usually means a login page, a gated repository or a wrong URL; open the URL in a browser to see it.</source>
        <translation>服务器返回的是网页而不是模型文件（{url}）。这通常是登录页、需授权的仓库或错误的网址；请在浏览器中打开该网址查看。</translation>
    </message>
    <message>
        <source>The server sent a Git LFS pointer instead of the model file ({url}). Use the file&apos;s download (resolve) URL, not its raw text view.</source>
        <translation>服务器返回的是 Git LFS 指针而不是模型文件（{url}）。请使用文件的下载（resolve）链接，而不是原始文本视图。</translation>
    </message>
    <message>
        <source>The data from {url} is not a GGUF file (it starts with {start}). Check the URL.</source>
        <translation>来自 {url} 的数据不是 GGUF 文件（开头为 {start}）。请检查网址。</translation>
    </message>
    <message>
        <source>The file from {url} has {actual} bytes but {expected} bytes were expected. The partial file was deleted; download it again.</source>
        <translation>来自 {url} 的文件有 {actual} 字节，但应为 {expected} 字节。不完整的文件已删除，请重新下载。</translation>
    </message>
    <message>
        <source>The downloaded file is corrupt: its SHA-256 is {actual} but {expected} was expected. It was deleted; download it again or switch the download source.</source>
        <translation>下载的文件已损坏：其 SHA-256 为 {actual}，应为 {expected}。文件已删除，请重新下载或切换下载源。</translation>
    </message>
    <message>
        <source>The downloaded file&apos;s SHA-256 is {actual}, not the expected {expected} that came with the download request. It was deleted. If the expected value is right, this download source has a different file: try another source.</source>
        <translation>下载文件的 SHA-256 为 {actual}，与下载请求中给出的预期值 {expected} 不符，文件已删除。如果预期值无误，说明此下载源上的文件不同：请换一个下载源。</translation>
    </message>
    <message>
        <source>Not enough free disk space in {folder}: the download needs {need} plus a {margin} reserve, but only {free} is free. Free some space or choose another folder.</source>
        <translation>{folder} 的磁盘空间不足：下载需要 {need}，另需预留 {margin}，但只剩 {free}。请清理空间或选择其他文件夹。</translation>
    </message>
    <message>
        <source>The disk is full while writing {path}. Free some space, then resume: the {done} already downloaded are kept.</source>
        <translation>写入 {path} 时磁盘已满。请清理空间后继续下载：已下载的 {done} 会保留。</translation>
    </message>
    <message>
        <source>Could not write {path}: {reason}.</source>
        <translation>无法写入 {path}：{reason}。</translation>
    </message>
    <message>
        <source>A different file already exists at {path} ({actual} bytes, {expected} bytes expected). Delete or move it, then download again.</source>
        <translation>{path} 处已有另一个文件（{actual} 字节，应为 {expected} 字节）。请删除或移走它，然后重新下载。</translation>
    </message>
    <message>
        <source>A different file already exists at {path}: its SHA-256 is {actual}, not the expected {expected}. It was left as it is; delete or move it, then download again.</source>
        <translation>{path} 处已有另一个文件：其 SHA-256 为 {actual}，而不是预期的 {expected}。该文件保持原样；请删除或移走它，然后重新下载。</translation>
    </message>
    <message>
        <source>{path} is already downloaded, and its SHA-256 matches.</source>
        <translation>{path} 已下载，且 SHA-256 校验一致。</translation>
    </message>
    <message>
        <source>Invalid download URL {url}: it must be an http or https URL that ends with a file name.</source>
        <translation>下载网址 {url} 无效：必须是以文件名结尾的 http 或 https 网址。</translation>
    </message>
    <message>
        <source>Invalid file name {name}: it must be a relative path inside the repository without &apos;..&apos;.</source>
        <translation>文件名 {name} 无效：必须是仓库内的相对路径，且不能包含 &apos;..&apos;。</translation>
    </message>
    <message>
        <source>Invalid download source {endpoint}: it must be an http or https base URL such as https://hf-mirror.com. Fix it in Settings &gt; Downloads.</source>
        <translation>下载源 {endpoint} 无效：必须是 http 或 https 基础网址，例如 https://hf-mirror.com。请在“设置 &gt; 下载”中修改。</translation>
    </message>
    <message>
        <source>Invalid download source {endpoint}: it must be an http or https base URL such as https://hf-mirror.com.</source>
        <translation>下载源 {endpoint} 无效：必须是 http 或 https 基础网址，例如 https://hf-mirror.com。</translation>
    </message>
    <message>
        <source>Invalid download source {endpoint} in the HF_ENDPOINT environment variable: it must be an http or https base URL such as https://hf-mirror.com. Fix or unset HF_ENDPOINT.</source>
        <translation>环境变量 HF_ENDPOINT 中的下载源 {endpoint} 无效：必须是 http 或 https 基础网址，例如 https://hf-mirror.com。请修改或取消设置 HF_ENDPOINT。</translation>
    </message>
    <message>
        <source>Invalid download source {endpoint}: it must be one of {presets} or an http or https base URL such as https://hf-mirror.com.</source>
        <translation>下载源 {endpoint} 无效：必须是 {presets} 之一，或 http/https 基础网址，例如 https://hf-mirror.com。</translation>
    </message>
    <message>
        <source>Invalid SHA-256 {value}: it must be 64 hexadecimal digits, optionally prefixed with &quot;sha256:&quot;. Copy it from the file&apos;s page on Hugging Face, or leave it out.</source>
        <translation>SHA-256 值 {value} 无效：必须是 64 位十六进制数字，可带 &quot;sha256:&quot; 前缀。请从 Hugging Face 上该文件的页面复制，或不填写。</translation>
    </message>
    <message>
        <source>The download source now in use has a different file at {url} (SHA-256 {actual}, {size} bytes) than the one expected (SHA-256 {expected}, {expected_size} bytes). The partial download is kept: switch back to the previous download source to resume it, or cancel it.</source>
        <translation>当前下载源在 {url} 提供的文件（SHA-256 {actual}，{size} 字节）与预期的文件（SHA-256 {expected}，{expected_size} 字节）不同。已下载的部分会保留：切换回之前的下载源即可继续，或者取消这个下载。</translation>
    </message>
    <message>
        <source>{path} is being downloaded by another LLM Desk window or command right now. Wait until that download ends, or stop it there, then try again.</source>
        <translation>另一个 LLM Desk 窗口或命令正在下载 {path}。请等那个下载结束，或在那里停止它，然后再试。</translation>
    </message>
    <message>
        <source>Cannot save the download in {folder}: {reason}. Choose a folder you can write to.</source>
        <translation>无法把下载保存到 {folder}：{reason}。请选择一个可以写入的文件夹。</translation>
    </message>
    <message>
        <source>The file from {url} is not the {quant} build of {build} that the catalog describes: {details}. It was deleted; check the repository and file name of the catalog entry.</source>
        <translation>来自 {url} 的文件不是目录中描述的 {build} 的 {quant} 版本：{details}。文件已删除；请检查该目录条目的仓库名和文件名。</translation>
    </message>
    <message>
        <source>its GGUF header counts {actual} parameters where the catalog says {expected}</source>
        <translation>其 GGUF 文件头记录的参数量为 {actual}，而目录中为 {expected}</translation>
    </message>
    <message>
        <source>its file type is {actual}, not {expected}</source>
        <translation>其文件类型为 {actual}，而不是 {expected}</translation>
    </message>
    <message>
        <source>it has {actual} where about {expected} was expected</source>
        <translation>其大小为 {actual}，而预计约为 {expected}</translation>
    </message>
    <message>
        <source>{first}; {rest}</source>
        <translation>{first}；{rest}</translation>
    </message>
    <message>
        <source>The GGUF header of {url} is larger than {limit}; it cannot be read without downloading the file.</source>
        <translation>{url} 的 GGUF 文件头大于 {limit}，不下载整个文件就无法读取。</translation>
    </message>
    <message>
        <source>The server did not report the size of {url}, which is needed to join the pieces of the model. Try another download source.</source>
        <translation>服务器没有报告 {url} 的大小，而合并模型分片需要这个信息。请换一个下载源。</translation>
    </message>
    <message>
        <source>{path} has {actual} where the catalog estimated about {expected}. Its GGUF header matches the catalog entry, so the file was kept.</source>
        <translation>{path} 的大小为 {actual}，而目录估计约为 {expected}。其 GGUF 文件头与目录条目一致，因此文件已保留。</translation>
    </message>
    <message>
        <source>Could not download from {host}: {reason} (attempts made: {attempts}). Check the URL, the network connection and the proxy settings.</source>
        <translation>无法从 {host} 下载：{reason}（已尝试 {attempts} 次）。请检查网址、网络连接和代理设置。</translation>
    </message>
    <message>
        <source>The connection to {host} closed before the whole file arrived (attempts made: {attempts}). The data received so far is kept; resume it later.</source>
        <translation>与 {host} 的连接在文件传完之前就断开了（已尝试 {attempts} 次）。已收到的数据会保留；请稍后继续下载。</translation>
    </message>
    <message>
        <source>The server failed (HTTP {status} {reason}) for {url}; attempts made: {attempts}. Check the URL or try again later.</source>
        <translation>服务器处理 {url} 时出错（HTTP {status} {reason}），已尝试 {attempts} 次。请检查网址，或稍后再试。</translation>
    </message>
    <message>
        <source>No data arrived from {host} for {seconds} s (attempts made: {attempts}). The download is kept; resume it later.</source>
        <translation>{seconds} 秒内没有从 {host} 收到任何数据（已尝试 {attempts} 次）。下载进度已保留；请稍后继续。</translation>
    </message>
    <message>
        <source>The downloaded file is corrupt: its SHA-256 is {actual} but {expected} was expected. It was deleted; check the URL and the expected SHA-256, then download it again.</source>
        <translation>下载的文件已损坏：其 SHA-256 为 {actual}，应为 {expected}。文件已删除；请检查网址和预期的 SHA-256，然后重新下载。</translation>
    </message>
    <message>
        <source>The downloaded file&apos;s SHA-256 is {actual}, not the expected {expected} that came with the download request. It was deleted. If the expected value is right, the URL serves a different file.</source>
        <translation>下载文件的 SHA-256 为 {actual}，与下载请求中给出的预期值 {expected} 不符，文件已删除。如果预期值无误，说明该网址提供的是另一个文件。</translation>
    </message>
    <message>
        <source>The download of {name} failed unexpectedly: {reason}. The details are in the log; resume it to try again.</source>
        <translation>{name} 下载意外失败：{reason}。详情见日志；继续下载即可重试。</translation>
    </message>
    <message>
        <source>{path} is already downloaded.</source>
        <translation>{path} 已经下载过了。</translation>
    </message>
</context>
<context>
    <name>DownloadRow</name>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Continue from the part already downloaded.</source>
        <translation>从已下载的部分继续。</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <source>Nothing usable was kept from the failed attempt, so the download starts over.</source>
        <translation>失败的那次下载没有留下可用的数据，因此将从头开始下载。</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>{done} of {total}</source>
        <translation>{done} / {total}</translation>
    </message>
    <message>
        <source>{time} left</source>
        <translation>剩余 {time}</translation>
    </message>
</context>
<context>
    <name>DownloadsPanel</name>
    <message>
        <source>Waiting</source>
        <translation>等待中</translation>
    </message>
    <message>
        <source>Downloading</source>
        <translation>下载中</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>Verifying</source>
        <translation>校验中</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>{value} KiB/s</source>
        <translation>{value} KiB/s</translation>
    </message>
    <message>
        <source>{value} MiB/s</source>
        <translation>{value} MiB/s</translation>
    </message>
    <message>
        <source>No downloads yet. Choose a model and a quantization, then Download.</source>
        <translation>还没有下载。选择一个模型和量化，然后点击“下载”。</translation>
    </message>
    <message>
        <source>Clear finished</source>
        <translation>清除已结束的下载</translation>
    </message>
    <message>
        <source>Remove finished, failed and cancelled downloads from this list. Downloaded files stay on disk.</source>
        <translation>从列表中移除已完成、失败和已取消的下载。已下载的文件仍保留在磁盘上。</translation>
    </message>
</context>
<context>
    <name>Engine</name>
    <message>
        <source>The engine stopped, probably because it ran out of memory (exit code {code}). Try again with fewer GPU layers or a shorter context.</source>
        <translation>推理引擎已停止，可能是内存不足（退出码 {code}）。请减少 GPU 层数或缩短上下文后重试。</translation>
    </message>
    <message>
        <source>The engine process ended before it was ready (exit code {code}). See the log file for details.</source>
        <translation>推理引擎进程在就绪前就结束了（退出码 {code}）。详情请查看日志文件。</translation>
    </message>
    <message>
        <source>The engine stopped while loading the model (exit code {code}). The file may be damaged or made for a newer llama.cpp; download it again or pick another file.</source>
        <translation>推理引擎在加载模型时停止（退出码 {code}）。文件可能已损坏，或需要更新版本的 llama.cpp；请重新下载或换一个文件。</translation>
    </message>
    <message>
        <source>llama.cpp stopped on an internal error (exit code {code}). Your chat is kept; load the model again to continue.</source>
        <translation>llama.cpp 因内部错误停止（退出码 {code}）。对话已保留；重新加载模型即可继续。</translation>
    </message>
    <message>
        <source>The engine stopped unexpectedly (exit code {code}). Your chat is kept; load the model again to continue.</source>
        <translation>推理引擎意外停止（退出码 {code}）。对话已保留；重新加载模型即可继续。</translation>
    </message>
    <message>
        <source>Cannot read the model file {path}: {error}</source>
        <translation>无法读取模型文件 {path}：{error}</translation>
    </message>
    <message>
        <source>llama.cpp could not load {path}: {error}. Check the load settings (context length, KV cache type, GPU layers); if they are fine, the file may be damaged or need a newer llama.cpp.</source>
        <translation>llama.cpp 无法加载 {path}：{error}。请检查加载设置（上下文长度、KV 缓存类型、GPU 层数）；如果设置无误，文件可能已损坏，或需要更新版本的 llama.cpp。</translation>
    </message>
    <message>
        <source>Loading {path} failed: {error}</source>
        <translation>加载 {path} 失败：{error}</translation>
    </message>
</context>
<context>
    <name>Filter</name>
    <message>
        <source>Unknown rule set {value}; available: {names}.</source>
        <translation>未知的规则集 {value}；可用的有：{names}。</translation>
    </message>
    <message>
        <source>Another rule already uses the id {value}.</source>
        <translation>已有另一条规则使用了 ID {value}。</translation>
    </message>
    <message>
        <source>The pattern can match empty text; it must match at least one character.</source>
        <translation>该模式可以匹配空文本；它必须至少匹配一个字符。</translation>
    </message>
    <message>
        <source>Unbalanced parenthesis at position {pos}.</source>
        <translation>位置 {pos} 处的括号不配对。</translation>
    </message>
    <message>
        <source>The pattern ends too early.</source>
        <translation>模式不完整，过早结束。</translation>
    </message>
    <message>
        <source>In {{{text}}} the maximum is smaller than the minimum.</source>
        <translation>{{{text}}} 中的最大值小于最小值。</translation>
    </message>
    <message>
        <source>Repeat counts above {limit} are not supported: {{{text}}}.</source>
        <translation>不支持大于 {limit} 的重复次数：{{{text}}}。</translation>
    </message>
    <message>
        <source>Anchors (^ and $) are not supported because the filter looks inside running text; use \b or the whole-word option.</source>
        <translation>不支持锚点（^ 和 $），因为过滤器检查的是连续输出的文本；请使用 \b 或“整词匹配”选项。</translation>
    </message>
    <message>
        <source>Nothing to repeat at position {pos}.</source>
        <translation>位置 {pos} 处没有可重复的内容。</translation>
    </message>
    <message>
        <source>Missing ) for the group opened at position {pos}.</source>
        <translation>位置 {pos} 处开始的分组缺少 )。</translation>
    </message>
    <message>
        <source>Backreferences are not supported (\{char}).</source>
        <translation>不支持反向引用（\{char}）。</translation>
    </message>
    <message>
        <source>\{char} is not supported; the filter looks inside running text. Use \b or the whole-word option.</source>
        <translation>不支持 \{char}，因为过滤器检查的是连续输出的文本。请使用 \b 或“整词匹配”选项。</translation>
    </message>
    <message>
        <source>Unknown escape \{char}.</source>
        <translation>未知的转义 \{char}。</translation>
    </message>
    <message>
        <source>Invalid hexadecimal escape near position {pos}.</source>
        <translation>位置 {pos} 附近的十六进制转义无效。</translation>
    </message>
    <message>
        <source>POSIX classes like [:alpha:] are not supported; use \w or a range.</source>
        <translation>不支持 [:alpha:] 这类 POSIX 字符类；请使用 \w 或字符范围。</translation>
    </message>
    <message>
        <source>The pattern is too large (over {limit} automaton states); use smaller repeat counts.</source>
        <translation>模式过大（超过 {limit} 个自动机状态）；请减小重复次数。</translation>
    </message>
    <message>
        <source>Possessive quantifiers (such as a++) are not supported; remove the second +.</source>
        <translation>不支持占有量词（如 a++）；请删除第二个 +。</translation>
    </message>
    <message>
        <source>Two quantifiers in a row at position {pos}; put the first in a group if you mean it.</source>
        <translation>位置 {pos} 处连续出现两个量词；如果确有此意，请将第一个放进分组。</translation>
    </message>
    <message>
        <source>Missing ] to close a character class.</source>
        <translation>字符类缺少结尾的 ]。</translation>
    </message>
    <message>
        <source>A repeated group that can match empty text (such as (a*)*) is not allowed; make the inner part required.</source>
        <translation>不允许可匹配空文本的重复分组（如 (a*)*）；请让内部至少匹配一个字符。</translation>
    </message>
    <message>
        <source>A class like \d cannot end a range.</source>
        <translation>\d 这样的字符类不能作为范围的结尾。</translation>
    </message>
    <message>
        <source>Invalid range {low}-{high}: the ends are reversed.</source>
        <translation>范围 {low}-{high} 无效：首尾顺序颠倒。</translation>
    </message>
    <message>
        <source>Nested repetition such as (a+)+ is not allowed; write a+ instead, or make each round end with a character the inner part cannot match.</source>
        <translation>不允许 (a+)+ 这样的嵌套重复；请改写为 a+，或让每一轮以内部无法匹配的字符结尾。</translation>
    </message>
    <message>
        <source>Unterminated group name at position {pos}.</source>
        <translation>位置 {pos} 处的分组名称没有结束。</translation>
    </message>
    <message>
        <source>Lookahead and lookbehind groups are not supported (position {pos}).</source>
        <translation>不支持前瞻和后顾分组（位置 {pos}）。</translation>
    </message>
    <message>
        <source>Repeated alternatives that can start with the same character (such as (a|ab)*) are not allowed; factor out the common start, e.g. a(b)?.</source>
        <translation>不允许可能以相同字符开头的重复选择分支（如 (a|ab)*）；请提取公共开头，例如 a(b)?。</translation>
    </message>
    <message>
        <source>Backreferences are not supported (position {pos}).</source>
        <translation>不支持反向引用（位置 {pos}）。</translation>
    </message>
    <message>
        <source>Unsupported group syntax at position {pos}; use (...) or (?:...).</source>
        <translation>位置 {pos} 处的分组语法不受支持；请使用 (...) 或 (?:...)。</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>API 密钥</translation>
    </message>
    <message>
        <source>AWS key</source>
        <translation>AWS 密钥</translation>
    </message>
    <message>
        <source>GitHub token</source>
        <translation>GitHub 令牌</translation>
    </message>
    <message>
        <source>Hugging Face token</source>
        <translation>Hugging Face 令牌</translation>
    </message>
    <message>
        <source>IBAN</source>
        <translation>IBAN</translation>
    </message>
    <message>
        <source>ID number</source>
        <translation>身份证号</translation>
    </message>
    <message>
        <source>SSN</source>
        <translation>社会安全号</translation>
    </message>
    <message>
        <source>Slack token</source>
        <translation>Slack 令牌</translation>
    </message>
    <message>
        <source>card number</source>
        <translation>银行卡号</translation>
    </message>
    <message>
        <source>email address</source>
        <translation>电子邮件地址</translation>
    </message>
    <message>
        <source>password in URL</source>
        <translation>网址中的密码</translation>
    </message>
    <message>
        <source>phone number</source>
        <translation>电话号码</translation>
    </message>
    <message>
        <source>private key</source>
        <translation>私钥</translation>
    </message>
    <message>
        <source>profanity</source>
        <translation>不文明用语</translation>
    </message>
    <message>
        <source>filtered term</source>
        <translation>过滤词</translation>
    </message>
    <message>
        <source>custom pattern</source>
        <translation>自定义模式</translation>
    </message>
    <message>
        <source>Profanity and slurs</source>
        <translation>粗口与歧视性用语</translation>
    </message>
    <message>
        <source>Severe swear words and slurs in English and Chinese.</source>
        <translation>英文和中文中的严重脏话与歧视性用语。</translation>
    </message>
    <message>
        <source>Personal data</source>
        <translation>个人信息</translation>
    </message>
    <message>
        <source>E-mail addresses, phone numbers, payment card numbers, IBANs and national ID numbers.</source>
        <translation>电子邮件地址、电话号码、银行卡号、IBAN 和身份证号码。</translation>
    </message>
    <message>
        <source>Secrets</source>
        <translation>密钥与凭据</translation>
    </message>
    <message>
        <source>API keys and tokens, private key blocks and passwords in URLs.</source>
        <translation>API 密钥和令牌、私钥块，以及网址中的密码。</translation>
    </message>
    <message>
        <source>&quot;{key}&quot; must be true or false, not {value}.</source>
        <translation>“{key}”必须是 true 或 false，而不是 {value}。</translation>
    </message>
    <message>
        <source>A term must be text, not {value}.</source>
        <translation>词语必须是文本，而不是 {value}。</translation>
    </message>
    <message>
        <source>The term is empty (or only invisible characters); enter at least one visible character.</source>
        <translation>词语为空（或只有不可见字符）；请至少输入一个可见字符。</translation>
    </message>
    <message>
        <source>The term is longer than {limit} characters.</source>
        <translation>词语超过 {limit} 个字符。</translation>
    </message>
    <message>
        <source>The regular expression is empty.</source>
        <translation>正则表达式为空。</translation>
    </message>
    <message>
        <source>A rule must be an object, not {value}.</source>
        <translation>规则必须是对象，而不是 {value}。</translation>
    </message>
    <message>
        <source>The rule has no id; give it a short name.</source>
        <translation>规则没有 ID；请给它起一个简短的名字。</translation>
    </message>
    <message>
        <source>Unknown field(s): {names}.</source>
        <translation>未知字段：{names}。</translation>
    </message>
    <message>
        <source>Unknown kind {value}; use &quot;term&quot; or &quot;regex&quot;.</source>
        <translation>未知类型 {value}；请使用 &quot;term&quot; 或 &quot;regex&quot;。</translation>
    </message>
    <message>
        <source>Unknown action {value}; use &quot;mask&quot;, &quot;label&quot;, &quot;replace&quot; or &quot;stop&quot;.</source>
        <translation>未知动作 {value}；请使用 &quot;mask&quot;、&quot;label&quot;、&quot;replace&quot; 或 &quot;stop&quot;。</translation>
    </message>
    <message>
        <source>The replacement must be text of at most {limit} characters.</source>
        <translation>替换内容必须是不超过 {limit} 个字符的文本。</translation>
    </message>
    <message>
        <source>The label must be text.</source>
        <translation>标签必须是文本。</translation>
    </message>
    <message>
        <source>Unknown validator {value}; known: {names}.</source>
        <translation>未知校验器 {value}；已知的有：{names}。</translation>
    </message>
    <message>
        <source>&quot;max_length&quot; must be a whole number from 1 to {limit}.</source>
        <translation>&quot;max_length&quot; 必须是 1 到 {limit} 之间的整数。</translation>
    </message>
    <message>
        <source>The rule set file {path} needs an &quot;id&quot; and a &quot;rules&quot; list.</source>
        <translation>规则集文件 {path} 需要 &quot;id&quot; 和 &quot;rules&quot; 列表。</translation>
    </message>
    <message>
        <source>&quot;terms&quot; must be a non-empty list.</source>
        <translation>&quot;terms&quot; 必须是非空列表。</translation>
    </message>
    <message>
        <source>&quot;terms&quot; is only for term rules.</source>
        <translation>&quot;terms&quot; 只能用于词语规则。</translation>
    </message>
    <message>
        <source>The rule has no pattern.</source>
        <translation>规则没有模式。</translation>
    </message>
    <message>
        <source>The filter configuration must be an object.</source>
        <translation>过滤器配置必须是对象。</translation>
    </message>
    <message>
        <source>&quot;rule_sets&quot; must be a list of rule set ids.</source>
        <translation>&quot;rule_sets&quot; 必须是规则集 ID 的列表。</translation>
    </message>
    <message>
        <source>&quot;custom_rules&quot; must be a list of rule objects.</source>
        <translation>&quot;custom_rules&quot; 必须是规则对象的列表。</translation>
    </message>
    <message>
        <source>&quot;labels&quot; must map label texts to texts.</source>
        <translation>“labels”必须把标签文字映射为文字。</translation>
    </message>
    <message>
        <source>Cannot read the rule set file {path}: {error}</source>
        <translation>无法读取规则集文件 {path}：{error}</translation>
    </message>
    <message>
        <source>Two rule set files use the id {value}.</source>
        <translation>有两个规则集文件使用了同一个 ID {value}。</translation>
    </message>
</context>
<context>
    <name>FilterSection</name>
    <message>
        <source>Remove rule</source>
        <translation>删除规则</translation>
    </message>
    <message>
        <source>Word or phrase</source>
        <translation>词语或短语</translation>
    </message>
    <message>
        <source>Regular expression</source>
        <translation>正则表达式</translation>
    </message>
    <message>
        <source>e.g. project codename, or \bID-\d{6}\b</source>
        <translation>例如项目代号，或 \bID-\d{6}\b</translation>
    </message>
    <message>
        <source>Double-click a rule to edit it.</source>
        <translation>双击规则即可编辑。</translation>
    </message>
    <message>
        <source>Edit rule</source>
        <translation>编辑规则</translation>
    </message>
    <message>
        <source>Mask it (****)</source>
        <translation>遮盖（****）</translation>
    </message>
    <message>
        <source>Replace with its label</source>
        <translation>替换为标签</translation>
    </message>
    <message>
        <source>Replace with text…</source>
        <translation>替换为文本…</translation>
    </message>
    <message>
        <source>Stop the reply</source>
        <translation>停止回复</translation>
    </message>
    <message>
        <source>Shown in place of a match by &quot;Replace with its label&quot;, and in the test results. Leave it empty for a general name.</source>
        <translation>选择“替换为标签”时，匹配内容会显示为此标签；试用结果中也会显示。留空则使用通用名称。</translation>
    </message>
    <message>
        <source>Replacement</source>
        <translation>替换文本</translation>
    </message>
    <message>
        <source>Text that replaces each match</source>
        <translation>用来替换每处匹配的文本</translation>
    </message>
    <message>
        <source>Whole words only</source>
        <translation>整词匹配</translation>
    </message>
    <message>
        <source>Add rule</source>
        <translation>添加规则</translation>
    </message>
    <message>
        <source>Cancel editing</source>
        <translation>取消编辑</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>Type or paste a sample text to see what the filter would change.</source>
        <translation>输入或粘贴一段示例文本，查看过滤器会改动哪些内容。</translation>
    </message>
    <message>
        <source>Try the filter</source>
        <translation>试用过滤器</translation>
    </message>
    <message>
        <source>custom pattern</source>
        <translation>自定义模式</translation>
    </message>
    <message>
        <source>filtered term</source>
        <translation>过滤词</translation>
    </message>
    <message>
        <source>regex</source>
        <translation>正则</translation>
    </message>
    <message>
        <source>term</source>
        <translation>词语</translation>
    </message>
    <message>
        <source>mask</source>
        <translation>遮盖</translation>
    </message>
    <message>
        <source>label</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>replace with “{text}”</source>
        <translation>替换为“{text}”</translation>
    </message>
    <message>
        <source>{label} ({kind}: {pattern}) → {action}</source>
        <translation>{label}（{kind}：{pattern}）→ {action}</translation>
    </message>
    <message>
        <source>The label is longer than {limit} characters; shorten it.</source>
        <translation>标签超过 {limit} 个字符，请缩短。</translation>
    </message>
    <message>
        <source>Enter the text that replaces each match.</source>
        <translation>请输入用来替换每处匹配的文本。</translation>
    </message>
    <message>
        <source>The replacement text is longer than {limit} characters; shorten it.</source>
        <translation>替换文本超过 {limit} 个字符，请缩短。</translation>
    </message>
    <message>
        <source>optional, e.g. {example}</source>
        <translation>可选，例如 {example}</translation>
    </message>
    <message>
        <source>Save rule</source>
        <translation>保存规则</translation>
    </message>
    <message>
        <source>stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Saving the filter settings failed: {error}</source>
        <translation>无法保存过滤器设置：{error}</translation>
    </message>
    <message>
        <source>The output filter is off, so the text is shown unchanged.</source>
        <translation>输出过滤已关闭，文本将原样显示。</translation>
    </message>
    <message numerus="yes">
        <source>%n match(es):</source>
        <translation>
            <numerusform>%n 处匹配：</numerusform>
        </translation>
    </message>
    <message>
        <source>Nothing would be filtered.</source>
        <translation>没有内容会被过滤。</translation>
    </message>
    <message>
        <source>A stop rule matched: the reply would end here.</source>
        <translation>命中了停止规则：回复会在此处结束。</translation>
    </message>
</context>
<context>
    <name>Fit</name>
    <message>
        <source>RAM</source>
        <translation>内存</translation>
    </message>
    <message>
        <source>The installed llama.cpp build has no GPU support, so {gpu} is not used.</source>
        <translation>已安装的 llama.cpp 版本不支持 GPU，因此不会使用 {gpu}。</translation>
    </message>
    <message>
        <source>The installed llama.cpp build cannot use {gpu}, so the model runs on the CPU.</source>
        <translation>已安装的 llama.cpp 版本无法使用 {gpu}，因此模型在 CPU 上运行。</translation>
    </message>
    <message>
        <source>assumed 4 TFLOPS (Apple GPU not in the table)</source>
        <translation>假定为 4 TFLOPS（表中没有该 Apple GPU）</translation>
    </message>
    <message>
        <source>assumed 2 TFLOPS (integrated GPU not in the table)</source>
        <translation>假定为 2 TFLOPS（表中没有该集成 GPU）</translation>
    </message>
    <message>
        <source>estimated Metal working-set limit (2/3 or 3/4 of RAM)</source>
        <translation>估算的 Metal 工作集上限（内存的 2/3 或 3/4）</translation>
    </message>
    <message>
        <source>shared GPU memory</source>
        <translation>GPU 共享内存</translation>
    </message>
    <message>
        <source>detected RAM bandwidth</source>
        <translation>检测到的内存带宽</translation>
    </message>
    <message>
        <source>Only {gpu} is counted; llama.cpp can also use {others}, so more may fit.</source>
        <translation>只计算了 {gpu}；llama.cpp 还可以使用 {others}，因此可能装得下更多。</translation>
    </message>
    <message>
        <source>Whether the installed llama.cpp build can use {gpu} was not checked.</source>
        <translation>尚未检查已安装的 llama.cpp 版本能否使用 {gpu}。</translation>
    </message>
    <message>
        <source>reported GPU memory bandwidth</source>
        <translation>报告的显存带宽</translation>
    </message>
    <message>
        <source>{tflops} TFLOPS from the {gpu} specification</source>
        <translation>{tflops} TFLOPS，来自 {gpu} 的规格</translation>
    </message>
    <message>
        <source>Metal working-set limit</source>
        <translation>Metal 工作集上限</translation>
    </message>
    <message>
        <source>reported free GPU memory</source>
        <translation>报告的空闲显存</translation>
    </message>
    <message>
        <source>total GPU memory (free memory unknown)</source>
        <translation>显存总量（空闲显存未知）</translation>
    </message>
    <message>
        <source>The memory size of {gpu} is unknown, so the estimate assumes the CPU. Set the GPU memory in Settings to include it.</source>
        <translation>{gpu} 的显存大小未知，因此按 CPU 运行估算。可在“设置”中填写显存大小，将其计入估算。</translation>
    </message>
    <message>
        <source>same as RAM ({source})</source>
        <translation>与内存相同（{source}）</translation>
    </message>
    <message>
        <source>assumed: 300 GB/s, a mid-range GPU</source>
        <translation>假定：300 GB/s，中端 GPU</translation>
    </message>
    <message>
        <source>Free memory on {gpu} is unknown, so it is judged on its total memory.</source>
        <translation>{gpu} 的可用显存未知，因此按其总显存判断。</translation>
    </message>
    <message>
        <source>Weights {weights} + KV cache {kv} ({n_ctx} tokens, {kv_type}) + compute buffers {compute} + overhead {overhead} + margin {margin} = {total}.</source>
        <translation>权重 {weights} + KV 缓存 {kv}（{n_ctx} 个 token，{kv_type}）+ 计算缓冲区 {compute} + 运行开销 {overhead} + 余量 {margin} = {total}。</translation>
    </message>
    <message>
        <source>Reading the prompt takes about {gflop} GFLOP per token; at {eff}% of {tflops} TFLOPS ({source}) that is about {tps} tokens/s.</source>
        <translation>读取提示词每个 token 约需 {gflop} GFLOP；按 {tflops} TFLOPS（{source}）的 {eff}% 计算，约为每秒 {tps} 个 token。</translation>
    </message>
    <message>
        <source>KV cache: {n_layer} layers x {n_ctx} tokens x ({rank} latent + {rope} rotary) values x {bpe:g} bytes = {kv}. This model caches a compressed latent vector instead of full keys and values.</source>
        <translation>KV 缓存：{n_layer} 层 × {n_ctx} 个 token × （{rank} 个潜在值 + {rope} 个旋转位置值）× {bpe:g} 字节 = {kv}。该模型缓存的是压缩后的潜在向量，而不是完整的键和值。</translation>
    </message>
    <message>
        <source>KV cache: {n_layer} layers x {n_ctx} tokens x {n_head_kv} KV heads x ({head_dim} + {head_dim_v}) key and value dims x {bpe:g} bytes = {kv}.</source>
        <translation>KV 缓存：{n_layer} 层 × {n_ctx} 个 token × {n_head_kv} 个 KV 头 × （{head_dim} + {head_dim_v}）键值维度 × {bpe:g} 字节 = {kv}。</translation>
    </message>
    <message>
        <source>{n_sliding} of {n_layer} layers use sliding-window attention and cache only {window} tokens.</source>
        <translation>{n_layer} 层中有 {n_sliding} 层使用滑动窗口注意力，只缓存 {window} 个 token。</translation>
    </message>
    <message>
        <source>Per-layer sizes are estimated: the token embeddings ({embd}, kept in RAM) and the output layer ({output}) are taken out and the rest is shared equally, {per_layer} per layer.</source>
        <translation>每层大小为估算值：扣除 token 嵌入（{embd}，保留在内存中）和输出层（{output}）后，其余平均分配，每层 {per_layer}。</translation>
    </message>
    <message>
        <source>{gpu} shares system memory: the GPU may use up to {budget} ({source}), and {available} of {ram} RAM is available.</source>
        <translation>{gpu} 与系统共享内存：GPU 最多可用 {budget}（{source}），内存 {ram} 中有 {available} 可用。</translation>
    </message>
    <message>
        <source>The CPU side needs {need} of the {available} RAM left beside the GPU&apos;s share.</source>
        <translation>CPU 部分需要 {need}，扣除 GPU 占用后剩余内存为 {available}。</translation>
    </message>
    <message>
        <source>RAM: the model needs {need} of {available} available ({total} installed).</source>
        <translation>内存：模型需要 {need}，当前可用 {available}（共 {total}）。</translation>
    </message>
    <message>
        <source>That is more than is available now: it fits only if you close other programs.</source>
        <translation>这超过了当前可用的内存：只有关闭其他程序后才能装下。</translation>
    </message>
    <message>
        <source>Decoding reads {gpu_bytes} from GPU memory at {gpu_eff}% of {gpu_bw} ({gpu_source}) and {cpu_bytes} from RAM at {cpu_eff}% of {cpu_bw} ({cpu_source}) per token: about {tps} tokens/s.</source>
        <translation>每生成一个 token，需从显存读取 {gpu_bytes}（按 {gpu_bw}（{gpu_source}）的 {gpu_eff}% 计），从内存读取 {cpu_bytes}（按 {cpu_bw}（{cpu_source}）的 {cpu_eff}% 计）：约每秒 {tps} 个 token。</translation>
    </message>
    <message>
        <source>With {threads} decoding thread(s), reading from RAM is limited to about {rate} (an estimated {per_thread} per thread), which sets the speed.</source>
        <translation>使用 {threads} 个生成线程时，从内存读取的速度约为 {rate}（估计每线程 {per_thread}），这决定了生成速度。</translation>
    </message>
    <message>
        <source>Each token also costs about {ms} ms of fixed work (graph set-up, sampling), a large part of the time for a model this small.</source>
        <translation>每个 token 还有约 {ms} 毫秒的固定开销（计算图准备、采样），对这么小的模型来说占了很大一部分时间。</translation>
    </message>
    <message>
        <source>{n_ctx} tokens is more than the {n_ctx_train} the model was trained for; answers may degrade beyond that.</source>
        <translation>{n_ctx} 个 token 超过了模型训练时的 {n_ctx_train}；超出部分的回答质量可能下降。</translation>
    </message>
    <message>
        <source>Your GPU {gpu} has {free} free of {total} ({source}).</source>
        <translation>你的 GPU {gpu} 共 {total}，可用 {free}（{source}）。</translation>
    </message>
    <message>
        <source>All {m} layers fit on the GPU: it needs {need}, leaving {headroom}.</source>
        <translation>全部 {m} 层都能放进 GPU：需要 {need}，剩余 {headroom}。</translation>
    </message>
    <message>
        <source>That is more than this machine has: it does not fit. Try a smaller quantization, a shorter context or a quantized KV cache.</source>
        <translation>这超过了本机的内存容量：装不下。请尝试更小的量化、更短的上下文或量化的 KV 缓存。</translation>
    </message>
    <message>
        <source>Decoding reads {bytes} per token at {eff}% of {bw} ({source}): about {tps} tokens/s.</source>
        <translation>每生成一个 token 需读取 {bytes}，按 {bw}（{source}）的 {eff}% 计算：约每秒 {tps} 个 token。</translation>
    </message>
    <message>
        <source>{n}/{m} layers fit on the GPU ({need}), the rest run on the CPU.</source>
        <translation>{n}/{m} 层可放进 GPU（{need}），其余在 CPU 上运行。</translation>
    </message>
    <message>
        <source>Not even one layer fits in the GPU&apos;s {free}, so the model runs on the CPU.</source>
        <translation>GPU 的 {free} 连一层都放不下，因此模型在 CPU 上运行。</translation>
    </message>
    <message>
        <source>Full fine-tuning</source>
        <translation>全参数微调</translation>
    </message>
    <message>
        <source>LoRA</source>
        <translation>LoRA</translation>
    </message>
    <message>
        <source>QLoRA</source>
        <translation>QLoRA</translation>
    </message>
    <message>
        <source>{method}: weights {weights} + gradients {gradients} + optimizer states {optimizer} + activations {activations} ({seq_len} tokens, batch 1, checkpointing) + overhead {overhead} = {total}.</source>
        <translation>{method}：权重 {weights} + 梯度 {gradients} + 优化器状态 {optimizer} + 激活值 {activations}（{seq_len} 个 token，批大小 1，启用检查点）+ 开销 {overhead} = {total}。</translation>
    </message>
    <message>
        <source>Rank-{rank} adapters train {params} million parameters.</source>
        <translation>秩为 {rank} 的适配器需训练约 {params}M（百万）个参数。</translation>
    </message>
    <message>
        <source>Fits on {gpu} ({free} free).</source>
        <translation>可放进 {gpu}（可用 {free}）。</translation>
    </message>
    <message>
        <source>Fits in RAM ({available} available), but fine-tuning on the CPU is impractically slow.</source>
        <translation>可放进内存（可用 {available}），但在 CPU 上微调慢得难以实用。</translation>
    </message>
    <message>
        <source>Does not fit on {gpu}: it has {free} free.</source>
        <translation>{gpu} 放不下：只有 {free} 可用。</translation>
    </message>
    <message>
        <source>Does not fit in RAM either ({available} available).</source>
        <translation>内存也放不下（可用 {available}）。</translation>
    </message>
    <message>
        <source>Does not fit in RAM ({available} available).</source>
        <translation>内存放不下（可用 {available}）。</translation>
    </message>
    <message>
        <source>No quantization fits fully on the GPU; {quant} is the largest that still decodes about {tps} tokens/s.</source>
        <translation>没有任何量化能完全放进 GPU；{quant} 是仍能达到约每秒 {tps} 个 token 的最大量化。</translation>
    </message>
    <message>
        <source>{quant} is the largest quantization that still decodes about {tps} tokens/s on this machine.</source>
        <translation>{quant} 是本机上仍能达到约每秒 {tps} 个 token 的最大量化。</translation>
    </message>
    <message>
        <source>{quant} gives the highest speed, about {tps} tokens/s, among quantizations of at least {bits} bits per weight.</source>
        <translation>在每权重至少 {bits} 位的量化中，{quant} 速度最快，约每秒 {tps} 个 token。</translation>
    </message>
    <message>
        <source>{cores} cores x {lanes} {simd} f32 lanes x 2 (FMA) x {fma_units} FMA units x {clock}</source>
        <translation>{cores} 核 × {lanes} 条 {simd} f32 通道 × 2（FMA）× {fma_units} 个 FMA 单元 × {clock}</translation>
    </message>
    <message>
        <source>{ghz} GHz from the CPU name</source>
        <translation>{ghz} GHz（取自 CPU 名称）</translation>
    </message>
    <message>
        <source>assumed 3.0 GHz</source>
        <translation>假定为 3.0 GHz</translation>
    </message>
    <message>
        <source>assumed 20 TFLOPS (GPU not in the table)</source>
        <translation>假定为 20 TFLOPS（表中没有该 GPU）</translation>
    </message>
    <message>
        <source>assumed: half of RAM as shared GPU memory</source>
        <translation>假定：内存的一半可作 GPU 共享内存</translation>
    </message>
    <message>
        <source>assumed: dual-channel DDR4-3200, 51.2 GB/s</source>
        <translation>假定：双通道 DDR4-3200，51.2 GB/s</translation>
    </message>
    <message>
        <source>Compute buffers: the largest of the logits of a {n_ubatch}-token batch ({logits}) and the feed-forward step ({ffn}), with activations; flash attention keeps the attention scores out of memory.</source>
        <translation>计算缓冲区：取 {n_ubatch} 个 token 批次的 logits（{logits}）与前馈计算（{ffn}）中的较大者，再加上激活值；Flash Attention 不在内存中保存注意力分数。</translation>
    </message>
    <message>
        <source>Compute buffers: the largest of one layer&apos;s attention scores ({n_ctx} x {n_ubatch} x {n_head} heads x 4 bytes, with mask: {scores}), the logits ({logits}) and the feed-forward step ({ffn}). Flash attention would drop the attention scores.</source>
        <translation>计算缓冲区：取单层注意力分数（{n_ctx} × {n_ubatch} × {n_head} 个头 × 4 字节，含掩码：{scores}）、logits（{logits}）和前馈计算（{ffn}）三者中的最大值。开启 Flash Attention 可省去注意力分数。</translation>
    </message>
    <message>
        <source>No quantization of at least {bits} bits per weight reaches {target} tokens/s here; {quant} is the fastest, about {tps} tokens/s.</source>
        <translation>本机上没有任何每权重至少 {bits} 位的量化能达到每秒 {target} 个 token；{quant} 最快，约每秒 {tps} 个 token。</translation>
    </message>
    <message>
        <source>Only {quant} comes close: it needs {need}, so it fits only if you close other programs.</source>
        <translation>只有 {quant} 勉强接近：需要 {need}，关闭其他程序后才能装下。</translation>
    </message>
    <message>
        <source>{quant} is the largest quantization that fits ({need} needed) and still decodes about {tps} tokens/s.</source>
        <translation>{quant} 是能装下（需要 {need}）且仍能达到约每秒 {tps} 个 token 的最大量化。</translation>
    </message>
    <message>
        <source>{quant} is the largest quantization that runs fully on the GPU: it needs {need} of {free}, about {tps} tokens/s.</source>
        <translation>{quant} 是能完全在 GPU 上运行的最大量化：需要 {need}（可用 {free}），约每秒 {tps} 个 token。</translation>
    </message>
    <message>
        <source>{quant} fits but decodes only about {tps} tokens/s on this machine.</source>
        <translation>{quant} 能装下，但在本机上只有约每秒 {tps} 个 token。</translation>
    </message>
    <message>
        <source>No quantization fits: even {quant} needs {need} at {n_ctx} tokens, more than this machine has.</source>
        <translation>没有任何量化能装下：即使是 {quant}，在 {n_ctx} 个 token 时也需要 {need}，超过了本机的容量。</translation>
    </message>
    <message>
        <source>Runs on the GPU</source>
        <translation>在 GPU 上运行</translation>
    </message>
    <message>
        <source>Split between GPU and CPU</source>
        <translation>GPU 与 CPU 分担</translation>
    </message>
    <message>
        <source>Runs on the CPU</source>
        <translation>在 CPU 上运行</translation>
    </message>
    <message>
        <source>Fits only if you close other programs</source>
        <translation>需关闭其他程序才能装下</translation>
    </message>
    <message>
        <source>Does not fit</source>
        <translation>装不下</translation>
    </message>
</context>
<context>
    <name>Format</name>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>{value} GiB</source>
        <translation>{value} GiB</translation>
    </message>
    <message>
        <source>{value} MiB</source>
        <translation>{value} MiB</translation>
    </message>
    <message>
        <source>{value} KiB</source>
        <translation>{value} KiB</translation>
    </message>
    <message>
        <source>{value} GB/s</source>
        <translation>{value} GB/s</translation>
    </message>
    <message>
        <source>{value} MB/s</source>
        <translation>{value} MB/s</translation>
    </message>
    <message>
        <source>{value} tok/s</source>
        <translation>{value} token/秒</translation>
    </message>
    <message>
        <source>{s} s</source>
        <translation>{s} 秒</translation>
    </message>
    <message>
        <source>{m} min {s} s</source>
        <translation>{m} 分 {s} 秒</translation>
    </message>
    <message>
        <source>{h} h {m} min</source>
        <translation>{h} 小时 {m} 分</translation>
    </message>
    <message>
        <source>{value}B</source>
        <translation>{value}B</translation>
    </message>
    <message>
        <source>{value}M</source>
        <translation>{value}M</translation>
    </message>
</context>
<context>
    <name>Hardware</name>
    <message>
        <source>detection failed: {reason}</source>
        <translation>检测失败：{reason}</translation>
    </message>
    <message>
        <source>no kernel driver bound</source>
        <translation>未绑定内核驱动</translation>
    </message>
    <message>
        <source>built-in APU device id table</source>
        <translation>内置 APU 设备 ID 表</translation>
    </message>
    <message>
        <source>sysfs: VRAM carve-out below 2 GiB with a larger GTT</source>
        <translation>sysfs：预留显存小于 2 GiB 且 GTT 更大</translation>
    </message>
    <message>
        <source>GTT (system memory the GPU can map): {total} GiB, {used} GiB used; not counted as VRAM</source>
        <translation>GTT（GPU 可映射的系统内存）：{total} GiB，已用 {used} GiB；不计入显存</translation>
    </message>
    <message>
        <source>APU: {size} MiB firmware carve-out; memory comes from system RAM</source>
        <translation>APU：固件预留 {size} MiB；显存取自系统内存</translation>
    </message>
    <message>
        <source>estimate: {share} of {memory} GiB unified memory (Metal&apos;s usual default)</source>
        <translation>估算：{memory} GiB 统一内存的 {share}（Metal 的常见默认值）</translation>
    </message>
    <message>
        <source>AMD Ryzen AI Max: 256-bit LPDDR5X-8000</source>
        <translation>AMD Ryzen AI Max：256 位 LPDDR5X-8000</translation>
    </message>
    <message>
        <source>Intel Lunar Lake: LPDDR5X-8533 on package</source>
        <translation>Intel Lunar Lake：封装内 LPDDR5X-8533</translation>
    </message>
    <message>
        <source>AMD Ryzen AI 300 series: 128-bit LPDDR5X-7500</source>
        <translation>AMD Ryzen AI 300 系列：128 位 LPDDR5X-7500</translation>
    </message>
    <message>
        <source>Snapdragon X: LPDDR5X-8448</source>
        <translation>Snapdragon X：LPDDR5X-8448</translation>
    </message>
    <message>
        <source>Intel Core Ultra: dual-channel DDR5</source>
        <translation>Intel Core Ultra：双通道 DDR5</translation>
    </message>
    <message>
        <source>AMD Ryzen 7000 series or later: dual-channel DDR5</source>
        <translation>AMD Ryzen 7000 系列及更新：双通道 DDR5</translation>
    </message>
    <message>
        <source>AMD Ryzen 1000-5000 series: dual-channel DDR4</source>
        <translation>AMD Ryzen 1000–5000 系列：双通道 DDR4</translation>
    </message>
    <message>
        <source>Intel Core 6th-11th generation: dual-channel DDR4</source>
        <translation>Intel Core 第 6–11 代：双通道 DDR4</translation>
    </message>
    <message>
        <source>Intel Core 2nd-5th generation: dual-channel DDR3</source>
        <translation>Intel Core 第 2–5 代：双通道 DDR3</translation>
    </message>
    <message>
        <source>estimate: platform not in the table, assumed dual-channel DDR5 (~{ddr5} GB/s; DDR4 would be ~{ddr4})</source>
        <translation>估算：表中没有该平台，按双通道 DDR5 计（约 {ddr5} GB/s；DDR4 约为 {ddr4}）</translation>
    </message>
    <message>
        <source>estimate: spec sheet peak for {card} ({gbps} GB/s)</source>
        <translation>估算：{card} 规格表中的峰值（{gbps} GB/s）</translation>
    </message>
    <message>
        <source>estimate: Apple {chip} published peak ({gbps} GB/s)</source>
        <translation>估算：Apple {chip} 官方公布的峰值（{gbps} GB/s）</translation>
    </message>
    <message>
        <source>estimate: {chip} is not in the table; used the base {base} figure</source>
        <translation>估算：表中没有 {chip}，采用基础款 {base} 的数值</translation>
    </message>
    <message>
        <source>estimate: {assumption} (~{gbps} GB/s)</source>
        <translation>估算：{assumption}（约 {gbps} GB/s）</translation>
    </message>
    <message>
        <source>fma and f16c inferred from avx2</source>
        <translation>fma 和 f16c 由 avx2 推断</translation>
    </message>
    <message>
        <source>IsProcessorFeaturePresent ({notes})</source>
        <translation>IsProcessorFeaturePresent（{notes}）</translation>
    </message>
    <message>
        <source>setting {key}</source>
        <translation>设置项 {key}</translation>
    </message>
    <message>
        <source>setting {key} minus the detected memory in use</source>
        <translation>设置项 {key} 减去检测到的已用内存</translation>
    </message>
    <message>
        <source>system RAM: {source}</source>
        <translation>系统内存：{source}</translation>
    </message>
    <message>
        <source>estimate: half of system RAM (what drivers usually allow)</source>
        <translation>估算：系统内存的一半（驱动通常允许的大小）</translation>
    </message>
    <message>
        <source>sysfs: no local memory (integrated GPU)</source>
        <translation>sysfs：没有本地显存（集成 GPU）</translation>
    </message>
    <message>
        <source>unknown: no xe or i915 local memory file</source>
        <translation>未知：没有 xe 或 i915 的本地显存文件</translation>
    </message>
    <message>
        <source>driver {driver} publishes no local memory size; set the GPU memory override in Settings if llama.cpp cannot report it</source>
        <translation>驱动 {driver} 未提供本地显存大小；如果 llama.cpp 也无法报告，请在“设置”中填写 GPU 显存</translation>
    </message>
    <message>
        <source>llama.cpp Metal device (Metal recommendedMaxWorkingSetSize)</source>
        <translation>llama.cpp Metal 设备（Metal recommendedMaxWorkingSetSize）</translation>
    </message>
    <message>
        <source>llama.cpp {backend} device {device}</source>
        <translation>llama.cpp {backend} 设备 {device}</translation>
    </message>
    <message>
        <source>this llama.cpp build has no GPU backend (CPU-only wheel); it runs on the CPU</source>
        <translation>此 llama.cpp 构建没有 GPU 后端（仅 CPU 的 wheel），将在 CPU 上运行</translation>
    </message>
    <message>
        <source>llama.cpp&apos;s backends do not list this GPU</source>
        <translation>llama.cpp 的后端未列出此 GPU</translation>
    </message>
    <message>
        <source>/proc/meminfo MemTotal (psutil reported {total} bytes)</source>
        <translation>/proc/meminfo MemTotal（psutil 报告为 {total} 字节）</translation>
    </message>
    <message>
        <source>/proc/meminfo MemTotal (agrees with psutil)</source>
        <translation>/proc/meminfo MemTotal（与 psutil 一致）</translation>
    </message>
    <message>
        <source>{source}, capped by the cgroup memory limit {limit} GiB</source>
        <translation>{source}，受 cgroup 内存上限 {limit} GiB 限制</translation>
    </message>
    <message>
        <source>matched to {label} device {device} by vendor</source>
        <translation>按厂商匹配到 {label} 设备 {device}</translation>
    </message>
    <message>
        <source>name: a unified-memory NVIDIA system</source>
        <translation>名称：统一内存的 NVIDIA 系统</translation>
    </message>
    <message>
        <source>estimate: NVML memory bus {width} bits x {clock} MHz x 2 (peak, double data rate)</source>
        <translation>估算：NVML 显存总线 {width} 位 × {clock} MHz × 2（峰值，双倍数据速率）</translation>
    </message>
    <message>
        <source>the driver reports no memory size</source>
        <translation>驱动未报告显存大小</translation>
    </message>
    <message>
        <source>nouveau driver: CUDA needs NVIDIA&apos;s proprietary driver</source>
        <translation>nouveau 驱动：CUDA 需要 NVIDIA 专有驱动</translation>
    </message>
    <message>
        <source>built-in device id table</source>
        <translation>内置设备 ID 表</translation>
    </message>
    <message>
        <source>PCI id only (no name list knows it)</source>
        <translation>仅有 PCI ID（名称列表中都没有它）</translation>
    </message>
    <message>
        <source>PCI id and a small dedicated figure: integrated GPU</source>
        <translation>PCI ID 且专用显存很小：集成 GPU</translation>
    </message>
    <message>
        <source>{size} MiB carve-out; memory comes from system RAM</source>
        <translation>预留 {size} MiB；显存取自系统内存</translation>
    </message>
    <message>
        <source>AdapterRAM is a 32-bit field and cannot show this card&apos;s memory</source>
        <translation>AdapterRAM 是 32 位字段，无法表示此显卡的显存</translation>
    </message>
    <message>
        <source>the registry&apos;s 32-bit MemorySize is saturated; memory size unknown</source>
        <translation>注册表中 32 位的 MemorySize 已达上限；显存大小未知</translation>
    </message>
</context>
<context>
    <name>HfCheckDialog</name>
    <message>
        <source>Check a Hugging Face file</source>
        <translation>检查 Hugging Face 文件</translation>
    </message>
    <message>
        <source>owner/repository, or the file&apos;s full URL</source>
        <translation>所有者/仓库，或文件的完整网址</translation>
    </message>
    <message>
        <source>file name, e.g. model-Q4_K_M.gguf</source>
        <translation>文件名，例如 model-Q4_K_M.gguf</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>检查</translation>
    </message>
    <message>
        <source>Download this file</source>
        <translation>下载此文件</translation>
    </message>
    <message>
        <source>Only the file header is read, usually a few MiB. The download source from Settings is used.</source>
        <translation>只读取文件头，通常只有几 MiB。使用“设置”中选择的下载源。</translation>
    </message>
    <message>
        <source>Repository or URL</source>
        <translation>仓库或网址</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>The hardware is still being detected; try again in a moment.</source>
        <translation>仍在检测硬件，请稍后再试。</translation>
    </message>
    <message>
        <source>Enter a repository and a file name, or paste the file&apos;s URL.</source>
        <translation>请输入仓库和文件名，或粘贴文件的网址。</translation>
    </message>
    <message>
        <source>Reading the header…</source>
        <translation>正在读取文件头…</translation>
    </message>
    <message>
        <source>Read {size} of header.</source>
        <translation>已读取 {size} 的文件头。</translation>
    </message>
    <message>
        <source>{arch}, {params} parameters, {quant}, {size}</source>
        <translation>{arch}，{params} 参数，{quant}，{size}</translation>
    </message>
    <message>
        <source>The check failed: {error}</source>
        <translation>检查失败：{error}</translation>
    </message>
</context>
<context>
    <name>Library</name>
    <message>
        <source>{path} is outside the model folders, so it was not deleted. Remove it from the library instead, or delete it in the file manager.</source>
        <translation>{path} 不在模型文件夹内，因此没有删除。请改为将其从模型库中移除，或在文件管理器中删除。</translation>
    </message>
    <message>
        <source>Could not delete {path}: {reason}.</source>
        <translation>无法删除 {path}：{reason}。</translation>
    </message>
    <message>
        <source>{path} cannot be added to the library: {reason}</source>
        <translation>{path} 无法添加到模型库：{reason}</translation>
    </message>
    <message>
        <source>A file named {name} is already in {folder}. Rename one of them, then import again.</source>
        <translation>{folder} 中已有名为 {name} 的文件。请重命名其中一个后再导入。</translation>
    </message>
    <message>
        <source>Could not copy {source} to {target}: {reason}. Nothing was added.</source>
        <translation>无法将 {source} 复制到 {target}：{reason}。未添加任何内容。</translation>
    </message>
    <message>
        <source>{source} changed while it was being copied ({copied} of {expected} bytes). Nothing was added; import it again.</source>
        <translation>复制过程中 {source} 发生了变化（已复制 {copied} / {expected} 字节）。未添加任何内容，请重新导入。</translation>
    </message>
    <message>
        <source>Import of {source} cancelled. Nothing was added.</source>
        <translation>已取消导入 {source}。未添加任何内容。</translation>
    </message>
    <message>
        <source>{name} is split into {count} parts, but {missing} are missing. Download the missing parts.</source>
        <translation>{name} 分为 {count} 个分片，但缺少 {missing}。请下载缺少的分片。</translation>
    </message>
</context>
<context>
    <name>LibraryPanel</name>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Quant</source>
        <translation>量化</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Verdict</source>
        <translation>结论</translation>
    </message>
    <message>
        <source>Folder</source>
        <translation>文件夹</translation>
    </message>
    <message>
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <source>Add a GGUF file: copy it into LLM Desk&apos;s folder or use it where it is. You can also drop files here.</source>
        <translation>添加 GGUF 文件：复制到 LLM Desk 的文件夹，或在原位置使用。也可以把文件拖到这里。</translation>
    </message>
    <message>
        <source>Add folder…</source>
        <translation>添加文件夹…</translation>
    </message>
    <message>
        <source>Scan another folder for GGUF files, e.g. LM Studio&apos;s models.</source>
        <translation>扫描另一个包含 GGUF 文件的文件夹，例如 LM Studio 的模型文件夹。</translation>
    </message>
    <message>
        <source>Show in folder</source>
        <translation>在文件夹中显示</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <source>Cancel import</source>
        <translation>取消导入</translation>
    </message>
    <message>
        <source>Scanning the model folders…</source>
        <translation>正在扫描模型文件夹…</translation>
    </message>
    <message>
        <source>referenced in place</source>
        <translation>在原位置使用</translation>
    </message>
    <message numerus="yes">
        <source>%n model(s) on disk</source>
        <translation>
            <numerusform>磁盘上有 %n 个模型</numerusform>
        </translation>
    </message>
    <message>
        <source>Scanning the model folders failed: {error}</source>
        <translation>扫描模型文件夹失败：{error}</translation>
    </message>
    <message>
        <source>Import GGUF models</source>
        <translation>导入 GGUF 模型</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf)</source>
        <translation>GGUF 模型 (*.gguf)</translation>
    </message>
    <message>
        <source>Import models</source>
        <translation>导入模型</translation>
    </message>
    <message numerus="yes">
        <source>Copy %n file(s) into LLM Desk&apos;s model folder, or use them where they are?</source>
        <translation>
            <numerusform>将这 %n 个文件复制到 LLM Desk 的模型文件夹，还是在原位置使用？</numerusform>
        </translation>
    </message>
    <message>
        <source>Copying needs free disk space but keeps working when the original is moved. Using a file in place takes no space.</source>
        <translation>复制需要占用磁盘空间，但原文件被移动后仍可使用；在原位置使用则不占额外空间。</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Use in place</source>
        <translation>在原位置使用</translation>
    </message>
    <message>
        <source>Copying {name}… %p%</source>
        <translation>正在复制 {name}… %p%</translation>
    </message>
    <message>
        <source>Choose a folder with GGUF files</source>
        <translation>选择包含 GGUF 文件的文件夹</translation>
    </message>
    <message>
        <source>Saving the settings failed: {error}</source>
        <translation>保存设置失败：{error}</translation>
    </message>
    <message>
        <source>Remove {name} from the library? The file stays where it is.</source>
        <translation>从模型库中移除 {name}？文件本身会保留在原处。</translation>
    </message>
    <message>
        <source>Delete {name} from the disk ({size})? This cannot be undone.</source>
        <translation>从磁盘删除 {name}（{size}）？此操作无法撤销。</translation>
    </message>
    <message>
        <source>Delete model</source>
        <translation>删除模型</translation>
    </message>
    <message>
        <source>Could not open the file manager ({program}).</source>
        <translation>无法打开文件管理器（{program}）。</translation>
    </message>
</context>
<context>
    <name>MachinePage</name>
    <message>
        <source>This machine</source>
        <translation>本机</translation>
    </message>
    <message>
        <source>Detecting hardware…</source>
        <translation>正在检测硬件…</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Detect the hardware again, e.g. after closing other programs that use GPU memory.</source>
        <translation>重新检测硬件，例如在关闭占用显存的其他程序之后。</translation>
    </message>
    <message>
        <source>Override detected values…</source>
        <translation>手动覆盖检测值…</translation>
    </message>
    <message>
        <source>Open the settings where RAM, GPU memory and bandwidth can be set by hand.</source>
        <translation>打开设置，手动填写内存、显存和带宽。</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>项目</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>数值</translation>
    </message>
    <message>
        <source>How it was obtained</source>
        <translation>数据来源</translation>
    </message>
    <message>
        <source>Detection issues</source>
        <translation>检测问题</translation>
    </message>
    <message>
        <source>Hardware detection failed: {error}. The estimates use no GPU until detection works; you can enter the figures in Settings.</source>
        <translation>硬件检测失败：{error}。在检测成功之前，估算不会使用 GPU；你可以在“设置”中手动填写数值。</translation>
    </message>
    <message>
        <source>Detected at start-up. Free memory changes as programs run; use Refresh to measure again.</source>
        <translation>启动时检测。可用内存会随程序运行而变化；点击“刷新”可重新测量。</translation>
    </message>
    <message>
        <source>GPU</source>
        <translation>GPU</translation>
    </message>
    <message>
        <source>Graphics processors</source>
        <translation>图形处理器</translation>
    </message>
    <message>
        <source>none found</source>
        <translation>未找到</translation>
    </message>
    <message>
        <source>your setting</source>
        <translation>你的设置</translation>
    </message>
    <message>
        <source>Overrides in use</source>
        <translation>正在使用的覆盖值</translation>
    </message>
    <message>
        <source>{physical} physical, {logical} logical</source>
        <translation>{physical} 个物理核心，{logical} 个逻辑核心</translation>
    </message>
    <message>
        <source>Operating system</source>
        <translation>操作系统</translation>
    </message>
    <message>
        <source>Processor</source>
        <translation>处理器</translation>
    </message>
    <message>
        <source>Architecture</source>
        <translation>架构</translation>
    </message>
    <message>
        <source>Cores</source>
        <translation>核心数</translation>
    </message>
    <message>
        <source>Instruction sets</source>
        <translation>指令集</translation>
    </message>
    <message>
        <source>none detected</source>
        <translation>未检测到</translation>
    </message>
    <message>
        <source>System</source>
        <translation>系统</translation>
    </message>
    <message>
        <source>RAM total</source>
        <translation>内存总量</translation>
    </message>
    <message>
        <source>RAM available</source>
        <translation>可用内存</translation>
    </message>
    <message>
        <source>Memory bandwidth</source>
        <translation>内存带宽</translation>
    </message>
    <message>
        <source>Metal working-set limit</source>
        <translation>Metal 工作集上限</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>内存</translation>
    </message>
    <message>
        <source>not checked yet</source>
        <translation>尚未检查</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>Vendor</source>
        <translation>厂商</translation>
    </message>
    <message>
        <source>other</source>
        <translation>其他</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>shared with the system (unified memory)</source>
        <translation>与系统共享（统一内存）</translation>
    </message>
    <message>
        <source>Dedicated memory total</source>
        <translation>专用显存总量</translation>
    </message>
    <message>
        <source>Dedicated memory free</source>
        <translation>可用专用显存</translation>
    </message>
    <message>
        <source>Shared system memory</source>
        <translation>共享系统内存</translation>
    </message>
    <message>
        <source>Driver</source>
        <translation>驱动</translation>
    </message>
    <message>
        <source>Usable by llama.cpp</source>
        <translation>llama.cpp 能否使用</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>GPU {number}</source>
        <translation>GPU {number}</translation>
    </message>
    <message>
        <source>checking…</source>
        <translation>检查中…</translation>
    </message>
    <message>
        <source>llama.cpp</source>
        <translation>llama.cpp</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>not available: {error}</source>
        <translation>不可用：{error}</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>GPU offload</source>
        <translation>GPU 卸载</translation>
    </message>
    <message>
        <source>supported</source>
        <translation>支持</translation>
    </message>
    <message>
        <source>not supported by this build (CPU only)</source>
        <translation>此版本不支持（仅 CPU）</translation>
    </message>
    <message>
        <source>{free} free of {total}</source>
        <translation>共 {total}，可用 {free}</translation>
    </message>
    <message>
        <source>integrated GPU</source>
        <translation>集成 GPU</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>{probe}: {message}</source>
        <translation>{probe}：{message}</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>This machine</source>
        <translation>本机</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>对话</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Detecting hardware…</source>
        <translation>正在检测硬件…</translation>
    </message>
    <message>
        <source>This page could not be opened: {error}</source>
        <translation>无法打开此页面：{error}</translation>
    </message>
    <message>
        <source>The chat page is not available in this build.</source>
        <translation>此版本不包含对话页面。</translation>
    </message>
    <message>
        <source>The chat page could not be opened: {error}</source>
        <translation>无法打开对话页面：{error}</translation>
    </message>
    <message>
        <source>Hardware detected.</source>
        <translation>硬件检测完成。</translation>
    </message>
    <message>
        <source>Hardware detection failed.</source>
        <translation>硬件检测失败。</translation>
    </message>
</context>
<context>
    <name>MessageWidget</name>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy the whole message</source>
        <translation>复制整条消息</translation>
    </message>
    <message>
        <source>You</source>
        <translation>你</translation>
    </message>
    <message>
        <source>Assistant</source>
        <translation>助手</translation>
    </message>
    <message>
        <source>System</source>
        <translation>系统</translation>
    </message>
    <message>
        <source>writing…</source>
        <translation>正在输入…</translation>
    </message>
    <message numerus="yes">
        <source>Thinking… (%n word(s))</source>
        <translation>
            <numerusform>思考中…（%n 词）</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Reasoning (%n word(s))</source>
        <translation>
            <numerusform>推理过程（%n 词）</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ModelFile</name>
    <message>
        <source>{name} is a complete GGUF model ({arch}, {file_type}, {size:,} bytes).</source>
        <translation>{name} 是完整的 GGUF 模型（{arch}，{file_type}，{size:,} 字节）。</translation>
    </message>
    <message>
        <source>{name} does not exist. Check the path, or download the model again.</source>
        <translation>{name} 不存在。请检查路径，或重新下载模型。</translation>
    </message>
    <message>
        <source>{name} is a folder, not a model file. Choose the .gguf file inside it.</source>
        <translation>{name} 是文件夹，不是模型文件。请选择其中的 .gguf 文件。</translation>
    </message>
    <message>
        <source>{name} cannot be read: {error}. Check that your user account may read the file.</source>
        <translation>无法读取 {name}：{error}。请确认当前用户有权读取该文件。</translation>
    </message>
    <message>
        <source>{name} is empty (0 bytes). Download the model again.</source>
        <translation>{name} 是空文件（0 字节）。请重新下载模型。</translation>
    </message>
    <message>
        <source>{name} is a Git LFS pointer, not the model: download the real file ({size:,} bytes) from the model page, or run &quot;git lfs pull&quot; in the cloned repository.</source>
        <translation>{name} 是 Git LFS 指针，不是模型本身：请从模型页面下载真正的文件（{size:,} 字节），或在克隆的仓库中运行 &quot;git lfs pull&quot;。</translation>
    </message>
    <message>
        <source>{name} is a Git LFS pointer, not the model: download the real file from the model page, or run &quot;git lfs pull&quot; in the cloned repository.</source>
        <translation>{name} 是 Git LFS 指针，不是模型本身：请从模型页面下载真正的文件，或在克隆的仓库中运行 &quot;git lfs pull&quot;。</translation>
    </message>
    <message>
        <source>{name} is an HTML page that was saved instead of the model, for example a login or error page. Download the model again from its direct file link.</source>
        <translation>{name} 是误存的 HTML 网页（例如登录页或错误页），不是模型。请通过文件的直接链接重新下载。</translation>
    </message>
    <message>
        <source>{name} is not a GGUF model: it starts with the bytes {magic} instead of &quot;GGUF&quot;. Choose a .gguf file, or download the model again.</source>
        <translation>{name} 不是 GGUF 模型：开头字节是 {magic} 而不是 &quot;GGUF&quot;。请选择 .gguf 文件，或重新下载模型。</translation>
    </message>
    <message>
        <source>{name} is a ZIP archive, not a GGUF model. Extract the .gguf file from it, or download a GGUF build of the model.</source>
        <translation>{name} 是 ZIP 压缩包，不是 GGUF 模型。请从中解压出 .gguf 文件，或下载该模型的 GGUF 版本。</translation>
    </message>
    <message>
        <source>{name} is a safetensors file, not a GGUF model. Download a GGUF build of the model.</source>
        <translation>{name} 是 safetensors 文件，不是 GGUF 模型。请下载该模型的 GGUF 版本。</translation>
    </message>
    <message>
        <source>{name} is in the old GGML format, which llama.cpp no longer loads. Download a GGUF build of the model.</source>
        <translation>{name} 是旧的 GGML 格式，llama.cpp 已不再支持。请下载该模型的 GGUF 版本。</translation>
    </message>
    <message>
        <source>{name} is a text file, not a GGUF model. It starts with: {preview}</source>
        <translation>{name} 是文本文件，不是 GGUF 模型。开头内容为：{preview}</translation>
    </message>
    <message>
        <source>{name} uses GGUF version {version}, which llama.cpp cannot load (it loads versions 2 and 3). Download a current GGUF build of the model.</source>
        <translation>{name} 使用 GGUF 第 {version} 版，llama.cpp 无法加载（只支持第 2 和第 3 版）。请下载该模型的最新 GGUF 版本。</translation>
    </message>
    <message>
        <source>{name} is a big-endian GGUF file, which this computer cannot load. Download the standard (little-endian) GGUF build of the model.</source>
        <translation>{name} 是大端序 GGUF 文件，本机无法加载。请下载该模型的标准（小端序）GGUF 版本。</translation>
    </message>
    <message>
        <source>The header of {name} is damaged: {detail}. Download the model again.</source>
        <translation>{name} 的文件头已损坏：{detail}。请重新下载模型。</translation>
    </message>
    <message>
        <source>{name} stores tensor {tensor} in ggml type {type_id}, which the bundled llama.cpp does not support. Choose another quantization, or update LLM Desk.</source>
        <translation>{name} 中的张量 {tensor} 使用 ggml 类型 {type_id}，内置的 llama.cpp 不支持。请选择其他量化，或更新 LLM Desk。</translation>
    </message>
    <message>
        <source>{name} is a model of architecture &quot;{arch}&quot;, which the bundled llama.cpp does not support. Choose a model of a supported architecture, such as llama, qwen2 or gemma3.</source>
        <translation>{name} 的模型架构为 &quot;{arch}&quot;，内置的 llama.cpp 不支持。请选择受支持架构的模型，例如 llama、qwen2 或 gemma3。</translation>
    </message>
    <message>
        <source>{name} is a multimodal projector (mmproj) file, not a language model. Load the language model&apos;s GGUF file instead.</source>
        <translation>{name} 是多模态投影器（mmproj）文件，不是语言模型。请改为加载语言模型的 GGUF 文件。</translation>
    </message>
    <message>
        <source>{name} is incomplete: {missing:,} of {expected:,} bytes are missing. Resume or restart the download.</source>
        <translation>{name} 不完整：{expected:,} 字节中缺少 {missing:,} 字节。请继续或重新开始下载。</translation>
    </message>
    <message>
        <source>{name} holds only the GGUF header: all {missing:,} bytes of tensor data are missing. Resume or restart the download.</source>
        <translation>{name} 只有 GGUF 文件头：全部 {missing:,} 字节的张量数据都缺失。请继续或重新开始下载。</translation>
    </message>
    <message>
        <source>{name} ends inside its GGUF header, after {size:,} bytes. Resume or restart the download.</source>
        <translation>{name} 在 GGUF 文件头中途结束，只有 {size:,} 字节。请继续或重新开始下载。</translation>
    </message>
</context>
<context>
    <name>ModelPicker</name>
    <message>
        <source>Choose a model…</source>
        <translation>选择模型…</translation>
    </message>
    <message>
        <source>Open…</source>
        <translation>打开…</translation>
    </message>
    <message>
        <source>Open a GGUF file from disk (you can also drop one on the window)</source>
        <translation>从磁盘打开 GGUF 文件（也可以直接拖到窗口上）</translation>
    </message>
    <message>
        <source> tokens</source>
        <translation> token</translation>
    </message>
    <message>
        <source>Context length: how many tokens of the chat the model can see</source>
        <translation>上下文长度：模型能看到多少 token 的对话</translation>
    </message>
    <message>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Layers offloaded to the GPU (0: CPU only); the fit advice picks the default</source>
        <translation>卸载到 GPU 的层数（0 表示仅用 CPU）；默认值由适配建议决定</translation>
    </message>
    <message>
        <source>Load</source>
        <translation>加载</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Context</source>
        <translation>上下文</translation>
    </message>
    <message>
        <source>GPU layers</source>
        <translation>GPU 层数</translation>
    </message>
    <message>
        <source>Open a model</source>
        <translation>打开模型</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF 模型 (*.gguf);;所有文件 (*)</translation>
    </message>
    <message>
        <source>{verdict} · about {rate} tokens/s</source>
        <translation>{verdict} · 约每秒 {rate} 个 token</translation>
    </message>
    <message>
        <source>Unload</source>
        <translation>卸载</translation>
    </message>
</context>
<context>
    <name>ModelsPage</name>
    <message>
        <source>Loading the catalog and detecting hardware…</source>
        <translation>正在加载模型目录并检测硬件…</translation>
    </message>
    <message>
        <source>Check a Hugging Face file…</source>
        <translation>检查 Hugging Face 文件…</translation>
    </message>
    <message>
        <source>Read the header of any GGUF file on Hugging Face and estimate how it fits, without downloading the whole file.</source>
        <translation>读取 Hugging Face 上任意 GGUF 文件的文件头并估算适配情况，无需下载整个文件。</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Downloads</source>
        <translation>下载</translation>
    </message>
    <message>
        <source>Library</source>
        <translation>模型库</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Some catalog entries were skipped:</source>
        <translation>部分目录条目已跳过：</translation>
    </message>
    <message>
        <source>The model catalog could not be loaded: {error}</source>
        <translation>无法加载模型目录：{error}</translation>
    </message>
    <message>
        <source>Estimating how each model fits…</source>
        <translation>正在估算各模型的适配情况…</translation>
    </message>
    <message numerus="yes">
        <source>%n model(s) run on this machine</source>
        <translation>
            <numerusform>%n 个模型可在本机运行</numerusform>
        </translation>
    </message>
    <message>
        <source>context {tokens} tokens, KV cache {kv}</source>
        <translation>上下文 {tokens} token，KV 缓存 {kv}</translation>
    </message>
    <message>
        <source>Estimating the fit failed: {error}</source>
        <translation>适配估算失败：{error}</translation>
    </message>
    <message>
        <source>The model library is not available in this build.</source>
        <translation>此版本不包含模型库。</translation>
    </message>
    <message>
        <source>The download could not start: {error}</source>
        <translation>无法开始下载：{error}</translation>
    </message>
    <message>
        <source>Already in the download list: {names}</source>
        <translation>已在下载列表中：{names}</translation>
    </message>
</context>
<context>
    <name>PerfPanel</name>
    <message>
        <source>Decode speed</source>
        <translation>生成速度</translation>
    </message>
    <message>
        <source>Decode speed (tokens/s)</source>
        <translation>生成速度（token/秒）</translation>
    </message>
    <message>
        <source>Engine memory (MiB)</source>
        <translation>引擎内存（MiB）</translation>
    </message>
    <message>
        <source>Context used (%)</source>
        <translation>已用上下文（%）</translation>
    </message>
    <message>
        <source>seconds</source>
        <translation>秒</translation>
    </message>
    <message>
        <source>Time to first token</source>
        <translation>首个 token 用时</translation>
    </message>
    <message>
        <source>Prompt speed</source>
        <translation>提示词处理速度</translation>
    </message>
    <message>
        <source>Generated</source>
        <translation>已生成</translation>
    </message>
    <message>
        <source>{value} ms</source>
        <translation>{value} 毫秒</translation>
    </message>
    <message>
        <source>{value} tokens/s</source>
        <translation>{value} token/秒</translation>
    </message>
    <message numerus="yes">
        <source>%n token(s)</source>
        <translation>
            <numerusform>%n 个 token</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Settings</name>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Interface language. Auto follows the system.</source>
        <translation>界面语言。“自动”跟随系统设置。</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>主题</translation>
    </message>
    <message>
        <source>Light, dark, or follow the system.</source>
        <translation>浅色、深色或跟随系统。</translation>
    </message>
    <message>
        <source>Download source</source>
        <translation>下载源</translation>
    </message>
    <message>
        <source>Where model files come from. hf-mirror.com is a mirror of Hugging Face that is reachable from mainland China. The HF_ENDPOINT environment variable, when set, takes precedence.</source>
        <translation>模型文件的下载来源。hf-mirror.com 是 Hugging Face 的镜像，在中国大陆可以访问。如果设置了 HF_ENDPOINT 环境变量，则以它为准。</translation>
    </message>
    <message>
        <source>Custom download URL</source>
        <translation>自定义下载地址</translation>
    </message>
    <message>
        <source>Base URL of a Hugging Face compatible server, used when the download source is Custom, e.g. https://example.org</source>
        <translation>兼容 Hugging Face 的服务器基础网址，在下载源为“自定义”时使用，例如 https://example.org</translation>
    </message>
    <message>
        <source>Access token</source>
        <translation>访问令牌</translation>
    </message>
    <message>
        <source>Hugging Face access token for gated repositories. Sent only to the download source it was entered for.</source>
        <translation>用于访问受限仓库的 Hugging Face 访问令牌。只会发送给填写时对应的下载源。</translation>
    </message>
    <message>
        <source>Token belongs to</source>
        <translation>令牌所属地址</translation>
    </message>
    <message>
        <source>Base URL the access token was entered for.</source>
        <translation>填写访问令牌时对应的基础网址。</translation>
    </message>
    <message>
        <source>Parallel downloads</source>
        <translation>同时下载数</translation>
    </message>
    <message>
        <source>How many files download at the same time.</source>
        <translation>同时下载的文件数量。</translation>
    </message>
    <message>
        <source>Keep downloading after closing</source>
        <translation>关闭窗口后继续下载</translation>
    </message>
    <message>
        <source>When off, closing the window pauses downloads and they resume at the next start.</source>
        <translation>关闭此项时，关闭窗口会暂停下载，下次启动时继续。</translation>
    </message>
    <message>
        <source>Model folders</source>
        <translation>模型文件夹</translation>
    </message>
    <message>
        <source>Extra folders scanned for GGUF files, e.g. an LM Studio or GPT4All model folder.</source>
        <translation>额外扫描 GGUF 文件的文件夹，例如 LM Studio 或 GPT4All 的模型文件夹。</translation>
    </message>
    <message>
        <source>Recommendation preference</source>
        <translation>推荐偏好</translation>
    </message>
    <message>
        <source>Faster replies picks smaller quantizations; better answers picks the largest one that fits.</source>
        <translation>“回复更快”会选择较小的量化；“回答更好”会选择能装下的最大量化。</translation>
    </message>
    <message>
        <source>Default context length</source>
        <translation>默认上下文长度</translation>
    </message>
    <message>
        <source>Context length in tokens used for fit advice and new chats.</source>
        <translation>适配建议和新对话使用的上下文长度（token 数）。</translation>
    </message>
    <message>
        <source>KV cache type</source>
        <translation>KV 缓存类型</translation>
    </message>
    <message>
        <source>Element type of the attention cache. q8_0 halves its memory with a small quality cost.</source>
        <translation>注意力缓存的元素类型。q8_0 可将其内存减半，质量略有损失。</translation>
    </message>
    <message>
        <source>RAM override (GiB)</source>
        <translation>内存大小覆盖（GiB）</translation>
    </message>
    <message>
        <source>Use this total RAM instead of the detected figure. Empty means detect.</source>
        <translation>用此总内存代替检测到的数值。留空表示自动检测。</translation>
    </message>
    <message>
        <source>GPU memory override (GiB)</source>
        <translation>显存大小覆盖（GiB）</translation>
    </message>
    <message>
        <source>Use this much free GPU memory for the first GPU instead of the detected figure, e.g. when detection failed. Empty means detect.</source>
        <translation>用此数值作为第一块 GPU 的可用显存，代替检测结果，例如在检测失败时。留空表示自动检测。</translation>
    </message>
    <message>
        <source>Memory bandwidth override (GB/s)</source>
        <translation>内存带宽覆盖（GB/s）</translation>
    </message>
    <message>
        <source>Memory bandwidth used for speed estimates. Empty means estimate.</source>
        <translation>速度估算使用的内存带宽。留空表示自动估算。</translation>
    </message>
    <message>
        <source>Output filter</source>
        <translation>输出过滤</translation>
    </message>
    <message>
        <source>Filter what the model writes before it is shown or saved.</source>
        <translation>在显示或保存之前过滤模型输出的内容。</translation>
    </message>
    <message>
        <source>Rule sets</source>
        <translation>规则集</translation>
    </message>
    <message>
        <source>Rule sets applied to new chats.</source>
        <translation>新对话使用的规则集。</translation>
    </message>
    <message>
        <source>Your own rules</source>
        <translation>自定义规则</translation>
    </message>
    <message>
        <source>Terms and regular expressions you added.</source>
        <translation>你添加的词语和正则表达式。</translation>
    </message>
    <message>
        <source>Check my own messages</source>
        <translation>检查我发送的消息</translation>
    </message>
    <message>
        <source>Warn before sending a message that contains personal data.</source>
        <translation>发送包含个人信息的消息前提醒。</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>Appearance</source>
        <translation>外观</translation>
    </message>
    <message>
        <source>Models and fit advice</source>
        <translation>模型与适配建议</translation>
    </message>
    <message>
        <source>Hardware overrides</source>
        <translation>硬件覆盖值</translation>
    </message>
    <message>
        <source>Downloads</source>
        <translation>下载</translation>
    </message>
    <message>
        <source>Output filter</source>
        <translation>输出过滤</translation>
    </message>
    <message>
        <source>Automatic (follow the system)</source>
        <translation>自动（跟随系统）</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>Hugging Face (huggingface.co)</source>
        <translation>Hugging Face（huggingface.co）</translation>
    </message>
    <message>
        <source>Mirror: hf-mirror.com</source>
        <translation>镜像：hf-mirror.com</translation>
    </message>
    <message>
        <source>Custom server</source>
        <translation>自定义服务器</translation>
    </message>
    <message>
        <source>Faster replies</source>
        <translation>回复更快</translation>
    </message>
    <message>
        <source>Balanced</source>
        <translation>均衡</translation>
    </message>
    <message>
        <source>Better answers</source>
        <translation>回答更好</translation>
    </message>
    <message>
        <source>f16 (full precision)</source>
        <translation>f16（全精度）</translation>
    </message>
    <message>
        <source>q8_0 (half the memory)</source>
        <translation>q8_0（内存减半）</translation>
    </message>
    <message>
        <source>q4_0 (quarter of the memory)</source>
        <translation>q4_0（内存为四分之一）</translation>
    </message>
    <message>
        <source>“{text}” is not a number. Enter a number such as 16, or leave the field empty to use the detected value.</source>
        <translation>“{text}”不是数字。请输入数字（例如 16），或留空以使用检测值。</translation>
    </message>
    <message>
        <source>“{text}” is not a finite number.</source>
        <translation>“{text}”不是有限的数字。</translation>
    </message>
    <message>
        <source>{value} is below the minimum of {minimum}.</source>
        <translation>{value} 小于最小值 {minimum}。</translation>
    </message>
    <message>
        <source>{value} is above the maximum of {maximum}.</source>
        <translation>{value} 大于最大值 {maximum}。</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>detect automatically</source>
        <translation>自动检测</translation>
    </message>
    <message>
        <source>not set</source>
        <translation>未设置</translation>
    </message>
    <message>
        <source>Add folder…</source>
        <translation>添加文件夹…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Choose a folder with GGUF files</source>
        <translation>选择包含 GGUF 文件的文件夹</translation>
    </message>
    <message>
        <source>The output filter is not available in this build.</source>
        <translation>此版本不包含输出过滤器。</translation>
    </message>
    <message>
        <source>Not saved: fix the value marked in red.</source>
        <translation>未保存：请修正标红的值。</translation>
    </message>
    <message>
        <source>Saving the settings to {path} failed: {error}</source>
        <translation>无法将设置保存到 {path}：{error}</translation>
    </message>
    <message>
        <source>Saved. The new language is used after you restart LLM Desk.</source>
        <translation>已保存。重新启动 LLM Desk 后使用新语言。</translation>
    </message>
    <message>
        <source>Saved. The token is sent only to {endpoint}.</source>
        <translation>已保存。令牌只会发送给 {endpoint}。</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <source>Enter the base URL of your server, such as https://hf-mirror.com; downloads fail until it is set.</source>
        <translation>请输入你的服务器的基础网址，例如 https://hf-mirror.com；填写之前下载都会失败。</translation>
    </message>
</context>
</TS>
