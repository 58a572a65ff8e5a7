#include "compiler/jit/tiers.hpp"

#include <cstdint>
#include <cstring>

#include <llvm/ADT/STLExtras.h>
#include <llvm/IR/Attributes.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/GlobalValue.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/Module.h>
#include <llvm/Transforms/Utils/Cloning.h>
#include <llvm/Transforms/Utils/ValueMapper.h>

namespace deal::jit {

namespace {

bool is_cold(const llvm::GlobalValue* gv) {
  const auto* f = llvm::dyn_cast<llvm::Function>(gv);
  return f && !f->isDeclaration() && f->hasFnAttribute(llvm::Attribute::OptimizeNone);
}

}  // namespace

std::unique_ptr<llvm::Module> split_cold(llvm::Module& m) {
  bool any = false;
  for (const llvm::Function& f : m) any = any || is_cold(&f);
  if (!any) return nullptr;
  for (llvm::GlobalValue& gv : m.global_values()) {
    if (!gv.hasLocalLinkage()) continue;
    if (!gv.hasName()) gv.setName("deal.local");  // LLVM makes the name unique
    gv.setLinkage(llvm::GlobalValue::ExternalLinkage);
    gv.setVisibility(llvm::GlobalValue::DefaultVisibility);
    gv.setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::None);  // its address is now shared
  }
  llvm::ValueToValueMapTy map;
  if (!m.alias_empty() || !m.ifunc_empty()) {  // codegen makes none; the general way
    std::unique_ptr<llvm::Module> cold = llvm::CloneModule(m, map, is_cold);
    cold->setModuleIdentifier(m.getModuleIdentifier() + ".cold");
    for (llvm::Function& f : m)
      if (is_cold(&f)) f.deleteBody();  // a declaration now, defined by the cold module
    return cold;
  }
  // The cold functions' blocks are moved, not copied (copying the module and deleting
  // the bodies cost three times as much): the new module declares every global value of
  // `m`, each cold function's blocks move into its declaration there, and their uses of
  // `m`'s values are remapped to those declarations.
  auto cold = std::make_unique<llvm::Module>(m.getModuleIdentifier() + ".cold", m.getContext());
  cold->setDataLayout(m.getDataLayout());
  cold->setTargetTriple(m.getTargetTriple());
  for (llvm::GlobalVariable& g : m.globals()) {
    auto* d = new llvm::GlobalVariable(*cold, g.getValueType(), g.isConstant(), llvm::GlobalValue::ExternalLinkage,
                                       nullptr, g.getName(), nullptr, g.getThreadLocalMode(), g.getAddressSpace());
    d->copyAttributesFrom(&g);
    map[&g] = d;
  }
  for (llvm::Function& f : m) {
    auto* d = llvm::Function::Create(f.getFunctionType(), llvm::GlobalValue::ExternalLinkage, f.getAddressSpace(),
                                     f.getName(), cold.get());
    d->copyAttributesFrom(&f);
    map[&f] = d;
  }
  for (llvm::Function& f : m) {
    if (!is_cold(&f)) continue;
    auto* d = llvm::cast<llvm::Function>(map[&f]);
    for (auto [from, to] : llvm::zip(f.args(), d->args())) {
      to.setName(from.getName());
      from.replaceAllUsesWith(&to);
    }
    d->splice(d->end(), &f);  // `f` is left a declaration, defined by the cold module
    llvm::RemapFunction(*d, map, llvm::RF_IgnoreMissingLocals | llvm::RF_ReuseAndMutateDistinctMDs);
  }
  return cold;
}

std::string pack_objects(const std::vector<std::string_view>& objects) {
  std::string out;
  auto u32 = [&out](uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); };
  u32(uint32_t(objects.size()));
  for (std::string_view o : objects) {
    u32(uint32_t(o.size()));
    out += o;
  }
  return out;
}

bool unpack_objects(std::string_view packed, std::vector<std::string_view>& objects) {
  auto u32 = [&packed](uint32_t& v) {
    if (packed.size() < 4) return false;
    std::memcpy(&v, packed.data(), 4);
    packed.remove_prefix(4);
    return true;
  };
  uint32_t n = 0;
  if (!u32(n) || size_t(n) * 4 > packed.size()) return false;
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t size = 0;
    if (!u32(size) || size == 0 || size > packed.size()) return false;
    objects.push_back(packed.substr(0, size));
    packed.remove_prefix(size);
  }
  return n > 0 && packed.empty();
}

}  // namespace deal::jit
