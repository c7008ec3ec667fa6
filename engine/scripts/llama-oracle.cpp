// windowkv-llama-oracle: llama.cpp as a test oracle for architectures the in-process binding
// (de.kherud:llama, llama.cpp b4916) predates, such as qwen3. Built by llama-cpp-oracle.sh against
// the libllama that llama-cpp-native.sh builds; never committed as a binary.
//
//   windowkv-llama-oracle MODEL.gguf STEPS TOP_K TOKEN_ID...
//
// Decodes the given token ids as they are (no BOS added, no tokenization), then greedily STEPS more,
// one at a time over llama.cpp's KV cache. After the prompt and after each greedy token it prints
//
//   step S ARGMAX ID:LOGPROB ID:LOGPROB ...     (the TOP_K most likely tokens, most likely first)
//
// with log-probabilities from a log-softmax over the whole vocabulary in double precision, and ends
// with "done". F32 KV cache, no flash attention, one thread: the settings the binding oracle uses.
#include "llama.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <vector>

static void quiet(enum ggml_log_level level, const char * text, void *) {
    if (level == GGML_LOG_LEVEL_ERROR) fputs(text, stderr);
}

static void report(int step, const float * logits, int n_vocab, int top_k) {
    int best = 0;
    for (int i = 1; i < n_vocab; i++) if (logits[i] > logits[best]) best = i;
    double sum = 0;
    for (int i = 0; i < n_vocab; i++) sum += std::exp((double) logits[i] - logits[best]);
    double norm = logits[best] + std::log(sum);
    std::vector<int> order(n_vocab);
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + top_k, order.end(),
                      [&](int a, int b) { return logits[a] > logits[b] || (logits[a] == logits[b] && a < b); });
    printf("step %d %d", step, best);
    for (int r = 0; r < top_k; r++) printf(" %d:%.9g", order[r], (double) logits[order[r]] - norm);
    printf("\n");
}

int main(int argc, char ** argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s MODEL.gguf STEPS TOP_K TOKEN_ID...\n", argv[0]);
        return 2;
    }
    const char * path = argv[1];
    const int steps = atoi(argv[2]);
    const int top_k = atoi(argv[3]);
    std::vector<llama_token> tokens;
    for (int i = 4; i < argc; i++) tokens.push_back(atoi(argv[i]));

    llama_log_set(quiet, nullptr);
    llama_backend_init();
    llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = 0;
    llama_model * model = llama_model_load_from_file(path, mp);
    if (model == nullptr) {
        fprintf(stderr, "windowkv-llama-oracle: llama.cpp cannot load %s\n", path);
        return 1;
    }
    const int n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(model));
    if (top_k < 1 || top_k > n_vocab || steps < 0) {
        fprintf(stderr, "windowkv-llama-oracle: bad STEPS %d or TOP_K %d\n", steps, top_k);
        return 2;
    }

    llama_context_params cp = llama_context_default_params();
    cp.n_ctx = tokens.size() + steps + 1;
    cp.n_batch = cp.n_ctx;
    cp.n_ubatch = cp.n_ctx;
    cp.n_seq_max = 1;
    cp.n_threads = 1;
    cp.n_threads_batch = 1;
    cp.type_k = GGML_TYPE_F32;
    cp.type_v = GGML_TYPE_F32;
    cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;
    cp.no_perf = true;
    llama_context * ctx = llama_init_from_model(model, cp);
    if (ctx == nullptr) {
        fprintf(stderr, "windowkv-llama-oracle: cannot create a llama.cpp context for %s\n", path);
        return 1;
    }

    llama_batch batch = llama_batch_get_one(tokens.data(), tokens.size());
    for (int step = 0;; step++) {
        if (llama_decode(ctx, batch) != 0) {
            fprintf(stderr, "windowkv-llama-oracle: llama_decode failed at step %d\n", step);
            return 1;
        }
        const float * logits = llama_get_logits_ith(ctx, -1);
        report(step, logits, n_vocab, top_k);
        if (step == steps) break;
        llama_token next = 0;
        for (int i = 1; i < n_vocab; i++) if (logits[i] > logits[next]) next = i;
        tokens.push_back(next);
        batch = llama_batch_get_one(&tokens.back(), 1);
    }
    printf("done\n");
    fflush(stdout);
    llama_free(ctx);
    llama_model_free(model);
    llama_backend_free();
    return 0;
}
