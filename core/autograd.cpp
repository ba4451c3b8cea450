#include "core/autograd.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "core/error.h"
#include "core/parallel.h"

namespace dither {
namespace {

thread_local bool grad_mode_enabled = true;

using GradMap = std::unordered_map<const TensorImpl*, Tensor>;

bool flows(const Tensor& t) { return t.defined() && t.requires_grad(); }

// Post-order (inputs before users) with an explicit stack: deep graphs must not recurse.
std::vector<Tensor> topological_order(const Tensor& root) {
  std::vector<Tensor> order;
  std::unordered_set<const TensorImpl*> seen{TensorAccess::id(root)};
  std::vector<std::pair<Tensor, std::size_t>> stack{{root, 0}};
  while (!stack.empty()) {
    auto& [tensor, next] = stack.back();
    const Node* node = TensorAccess::node(tensor);
    if (node != nullptr && next < node->inputs.size()) {
      const Tensor& in = node->inputs[next++];
      if (flows(in) && seen.insert(TensorAccess::id(in)).second) stack.emplace_back(in, 0);
      continue;
    }
    order.push_back(tensor);
    stack.pop_back();
  }
  return order;
}

// a + b into a fresh tensor: either may alias a buffer some other gradient still uses.
Tensor sum_of(const Tensor& a, const Tensor& b) {
  Tensor out = Tensor::empty(a.shape());
  const float* pa = a.ptr();
  const float* pb = b.ptr();
  float* po = out.ptr();
  parallel_for(out.numel(), [&](std::int64_t s, std::int64_t e) {
    for (std::int64_t i = s; i < e; ++i) po[i] = pa[i] + pb[i];
  });
  return out;
}

// Called with a leaf and its summed gradient when the sweep reaches it: after every user.
using LeafDone = std::function<void(const Tensor& leaf, Tensor grad)>;

// Runs the backward rules of every node that leads to a wanted tensor, users before inputs,
// summing gradients that arrive by several paths. `wanted` null means every leaf, each handed
// to `leaf_done` and not kept in the result.
GradMap sweep(const Tensor& root, const std::unordered_set<const TensorImpl*>* wanted,
              const LeafDone& leaf_done) {
  check(root.defined(), "backward: the root tensor is undefined");
  check_shape(root.numel() == 1, "backward: root must have one element, got shape ", root.shape());
  check(root.requires_grad(), "backward: the root does not require grad (no input requires grad, ",
        "or it was computed under NoGradGuard)");
  const std::vector<Tensor> order = topological_order(root);

  // A node runs only if some wanted tensor lies below it.
  std::unordered_set<const TensorImpl*> needed;
  for (const Tensor& t : order) {
    const Node* node = TensorAccess::node(t);
    bool need = wanted == nullptr ? node == nullptr : wanted->count(TensorAccess::id(t)) > 0;
    if (node != nullptr) {
      for (const Tensor& in : node->inputs) {
        if (flows(in) && needed.count(TensorAccess::id(in))) need = true;
      }
    }
    if (need) needed.insert(TensorAccess::id(t));
  }

  NoGradGuard no_grad;
  GradMap grads{{TensorAccess::id(root), Tensor::full(root.shape(), 1.0f)}};
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const Node* node = TensorAccess::node(*it);
    if (!needed.count(TensorAccess::id(*it))) continue;
    auto found = grads.find(TensorAccess::id(*it));
    if (found == grads.end()) continue;
    if (node == nullptr) {
      if (wanted == nullptr) {
        Tensor leaf_grad = std::move(found->second);
        grads.erase(found);
        leaf_done(*it, std::move(leaf_grad));
      }
      continue;
    }
    std::vector<char> flags(node->inputs.size());
    for (std::size_t i = 0; i < flags.size(); ++i) {
      flags[i] = flows(node->inputs[i]) && needed.count(TensorAccess::id(node->inputs[i]));
    }
    const Tensor grad_out = found->second;
    if (wanted == nullptr || !wanted->count(TensorAccess::id(*it))) grads.erase(found);
    std::vector<Tensor> in_grads = node->backward(grad_out, NeedsGrad(flags));
    check(in_grads.size() == node->inputs.size(), node->op, ": backward returned ", in_grads.size(),
          " gradients for ", node->inputs.size(), " inputs");
    for (std::size_t i = 0; i < in_grads.size(); ++i) {
      if (!flags[i]) continue;
      const Tensor& in = node->inputs[i];
      check(in_grads[i].defined(), node->op, ": backward gave no gradient for input ", i);
      check_shape(in_grads[i].shape() == in.shape(), node->op, ": backward gave gradient of shape ",
                  in_grads[i].shape(), " for input ", i, " of shape ", in.shape());
      auto [slot, fresh] = grads.try_emplace(TensorAccess::id(in), in_grads[i]);
      if (!fresh) slot->second = sum_of(slot->second, in_grads[i]);
    }
  }
  return grads;
}

void accumulate_grad(const Tensor& leaf, Tensor grad) {
  auto& impl = *TensorAccess::impl(leaf);
  if (!impl.grad) {
    // Adopt the buffer when nothing else holds it; otherwise keep a private copy.
    const auto& g = TensorAccess::impl(grad);
    const bool sole = g.use_count() == 1 && g->storage.use_count() == 1 && g->grad_fn == nullptr;
    impl.grad = sole ? g : TensorAccess::impl(grad.clone());
    return;
  }
  float* acc = impl.grad->storage->data();
  const float* add = grad.ptr();
  parallel_for(grad.numel(), [&](std::int64_t s, std::int64_t e) {
    for (std::int64_t i = s; i < e; ++i) acc[i] += add[i];
  });
}

}  // namespace

bool GradMode::enabled() { return grad_mode_enabled; }
void GradMode::set_enabled(bool on) { grad_mode_enabled = on; }

Tensor record(std::string_view op, Tensor out, std::vector<Tensor> inputs, BackwardFn fn) {
  if (!GradMode::enabled() || std::none_of(inputs.begin(), inputs.end(), flows)) return out;
  for (Tensor& in : inputs) {
    if (!flows(in)) in = Tensor();  // nothing flows there: let its memory go early
  }
  auto node = std::make_shared<Node>();
  node->op = std::string(op);
  node->inputs = std::move(inputs);
  node->backward = std::move(fn);
  auto& impl = *TensorAccess::impl(out);
  impl.grad_fn = std::move(node);
  impl.requires_grad = true;
  return out;
}

void Tensor::backward() const {
  sweep(*this, nullptr, [](const Tensor& leaf, Tensor g) { accumulate_grad(leaf, std::move(g)); });
}

void Tensor::backward(const std::function<void(const Tensor& leaf)>& leaf_ready) const {
  sweep(*this, nullptr, [&leaf_ready](const Tensor& leaf, Tensor g) {
    accumulate_grad(leaf, std::move(g));
    leaf_ready(leaf);
  });
}

std::vector<Tensor> grad(const Tensor& root, const std::vector<Tensor>& targets) {
  std::unordered_set<const TensorImpl*> wanted;
  for (const Tensor& t : targets) {
    check(t.defined(), "grad: a target tensor is undefined");
    wanted.insert(TensorAccess::id(t));
  }
  GradMap grads = sweep(root, &wanted, nullptr);
  std::vector<Tensor> result;
  result.reserve(targets.size());
  for (const Tensor& t : targets) {
    auto found = grads.find(TensorAccess::id(t));
    result.push_back(found != grads.end() ? found->second : Tensor::zeros(t.shape()));
  }
  return result;
}

// Dropping a long graph would otherwise run one destructor frame per op
// (PyTorch fixed the same crash with deleteNode, its issue #5534).
Node::~Node() {
  std::vector<std::shared_ptr<Node>> pending;
  auto unlink = [&pending](std::vector<Tensor>& inputs) {
    for (Tensor& in : inputs) {
      auto& impl = TensorAccess::impl(in);
      if (impl && impl.use_count() == 1 && impl->grad_fn && impl->grad_fn.use_count() == 1) {
        pending.push_back(std::move(impl->grad_fn));
      }
    }
    inputs.clear();
  };
  unlink(inputs);
  while (!pending.empty()) {
    std::shared_ptr<Node> node = std::move(pending.back());
    pending.pop_back();
    unlink(node->inputs);
  }
}

}  // namespace dither
