// Lowers the checked program to LLVM IR (opaque pointers). Every value is a double:
// numbers, Bools (0/1), dates (month numbers), party and deal ids. States live in the
// path's flat array S at the slots the checker assigned; the step context C carries
// the step's dates and flags (runtime/abi.hpp).
#include "compiler/codegen/codegen.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <map>
#include <tuple>
#include <stdexcept>

#include <fmt/format.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/raw_ostream.h>

#include "compiler/codegen/shapes.hpp"
#include "runtime/abi.hpp"
#include "runtime/obligation.hpp"

namespace deal::codegen {

Generated::Generated() = default;
Generated::Generated(Generated&&) noexcept = default;
Generated& Generated::operator=(Generated&&) noexcept = default;
Generated::~Generated() {
  module.reset();  // the module must die before its context
  context.reset();
}

namespace names {
std::string init(int k) { return fmt::format("deal_init_{}", k); }
std::string shock_at(int s) { return fmt::format("deal_shock_at_{}", s); }
std::string shock_deals(int s) { return fmt::format("deal_shock_deals_{}", s); }
std::string shock_deal_triggers(int s) { return fmt::format("deal_shock_deal_triggers_{}", s); }
std::string shock_triggers(int s) { return fmt::format("deal_shock_triggers_{}", s); }
std::string track(int k) { return fmt::format("deal_track_{}", k); }
}  // namespace names

namespace {

using check::Builtin;
using check::ClauseKind;
using check::HBody;
using check::HClause;
using check::HExpr;
using check::HStmt;
using check::Op;
using check::Period;
using check::SKind;

// StepCtx field indices (runtime/abi.hpp).
enum CtxField {
  kStepStart = 0,
  kStepEnd,
  kDt,
  kStepIndex,
  kPeriodFlags,
  kStatus,
  kPath,
  kOverrides,
  kObligations,
  kObligationCount,
  kObligationCapacity
};
// deal.pay stores obligations as PathRun::store_obligation does.
static_assert(sizeof(rt::Obligation) == 24 && offsetof(rt::Obligation, from) == 0 &&
              offsetof(rt::Obligation, to) == 4 && offsetof(rt::Obligation, priority) == 8 &&
              offsetof(rt::Obligation, deal) == 12 && offsetof(rt::Obligation, amount) == 16);
static_assert(offsetof(rt::StepCtx, obligations) == 56 && offsetof(rt::StepCtx, obligation_count) == 64 &&
              offsetof(rt::StepCtx, obligation_capacity) == 72);

class Emitter {
 public:
  Emitter(const check::Program& p, Generated& out, int site_base = 0) : p_(p), out_(out), ctx_(*out.context), b_(ctx_) {
    site_base_ = site_base;
    m_ = out.module.get();
    dbl_ = llvm::Type::getDoubleTy(ctx_);
    i32_ = llvm::Type::getInt32Ty(ctx_);
    i1_ = llvm::Type::getInt1Ty(ctx_);
    ptr_ = llvm::PointerType::getUnqual(ctx_);
    void_ = llvm::Type::getVoidTy(ctx_);
    i64_ = llvm::Type::getInt64Ty(ctx_);
    step_ctx_ =
        llvm::StructType::create(ctx_, {dbl_, dbl_, dbl_, dbl_, i32_, i32_, ptr_, ptr_, ptr_, i64_, i64_}, "StepCtx");
    obligation_ = llvm::StructType::create(ctx_, {i32_, i32_, i32_, i32_, dbl_}, "Obligation");
    declare_runtime();
    build_base_tables();
  }

  void run() {
    emit_pay_fn();
    for (size_t k = 0; k < p_.scenarios.size(); ++k) emit_init(int(k));
    for (size_t k = 0; k < p_.scenarios.size(); ++k) emit_track(int(k));
    emit_parties_step();
    emit_deals_step(names::deals_step, program_deals(), false);
    emit_deals_step(names::deal_triggers, program_deals(), true);
    for (size_t s = 0; s < p_.shocks.size(); ++s) {
      emit_shock(int(s));
      emit_deals_step(names::shock_deals(int(s)), p_.shocks[s].deals, false);
      emit_deals_step(names::shock_deal_triggers(int(s)), p_.shocks[s].deals, true);
    }
    emit_on_default();
    emit_values();
    emit_liquidations();
    // User functions that were never called still get bodies (so --emit ir shows them).
    for (size_t f = 0; f < p_.fns.size(); ++f) user_fn(int(f));
  }

  // Only a track function of `exprs` (names::eval_track), for an expression evaluated
  // against an already compiled program.
  void run_tracks(const std::vector<check::HExpr>& exprs) {
    begin_fn(names::eval_track, ptr_);
    llvm::Value* out = fn_->getArg(2);
    for (size_t i = 0; i < exprs.size(); ++i) {
      locals_.clear();
      b_.CreateStore(expr(exprs[i]), b_.CreateConstInBoundsGEP1_64(dbl_, out, i));
    }
    end_fn();
  }

 private:
  // ---------------------------------------------------------------- set-up

  void declare_runtime() {
    auto type_of = [&](char c) -> llvm::Type* {
      switch (c) {
        case 'v':
          return void_;
        case 'd':
          return dbl_;
        case 'i':
          return i32_;
        default:
          return ptr_;
      }
    };
#define DEAL_DECLARE(name, sig)                                                       \
  {                                                                                   \
    std::string s = sig;                                                              \
    std::vector<llvm::Type*> params;                                                  \
    for (size_t i = 1; i < s.size(); ++i) params.push_back(type_of(s[i]));            \
    auto* ft = llvm::FunctionType::get(type_of(s[0]), params, false);                 \
    auto* f = llvm::Function::Create(ft, llvm::Function::ExternalLinkage, #name, m_); \
    f->addFnAttr(llvm::Attribute::NoUnwind);                                          \
    rt_[#name] = f;                                                                   \
  }
    DEAL_RT_FUNCTIONS(DEAL_DECLARE)
#undef DEAL_DECLARE
  }

  // Tables of each party's and deal's first slot, for ids known only at run time.
  void build_base_tables() {
    std::vector<int32_t> pb, db;
    for (const auto& party : p_.parties) pb.push_back(party.base);
    for (const auto& deal : p_.deals) db.push_back(deal.base);
    if (db.empty()) db.push_back(0);
    auto table = [&](const std::vector<int32_t>& v, const char* name) {
      auto* init = llvm::ConstantDataArray::get(ctx_, llvm::ArrayRef<int32_t>(v));
      return new llvm::GlobalVariable(*m_, init->getType(), true, llvm::GlobalValue::InternalLinkage, init, name);
    };
    party_base_ = table(pb, "party_base");
    deal_base_ = table(db, "deal_base");
  }

  std::vector<int> program_deals() const {
    std::vector<int> v;
    for (size_t d = 0; d < p_.deals.size(); ++d)
      if (p_.deals[d].shock < 0) v.push_back(int(d));
    return v;
  }

  // A new function with (ptr S, ptr C [, extra]) and an entry block. Internal ones are
  // the per-deal parts of a phase, kept out of line.
  llvm::Function* begin_fn(const std::string& name, llvm::Type* extra = nullptr, bool internal = false) {
    std::vector<llvm::Type*> params = {ptr_, ptr_};
    if (extra) params.push_back(extra);
    auto* ft = llvm::FunctionType::get(void_, params, false);
    auto* f = llvm::Function::Create(ft, internal ? llvm::Function::InternalLinkage : llvm::Function::ExternalLinkage,
                                     name, m_);
    f->addFnAttr(llvm::Attribute::NoUnwind);
    if (internal) f->addFnAttr(llvm::Attribute::NoInline);
    f->getArg(0)->setName("S");
    f->getArg(1)->setName("C");
    f->getArg(0)->addAttr(llvm::Attribute::NoAlias);
    fn_ = f;
    S_ = f->getArg(0);
    C_ = f->getArg(1);
    entry_ = llvm::BasicBlock::Create(ctx_, "entry", f);
    b_.SetInsertPoint(entry_);
    return f;
  }

  void end_fn() {
    b_.CreateRetVoid();
    fn_ = nullptr;
  }

  // A shape's function is called from one place, its case of the dispatch loop, so the
  // optimising tier may inline it there without growing the code (the loop then makes no
  // call per member: on the benchmark network 4% of a path). Large ones stay out of line:
  // inlining them all made the AI web's optimising compile 38% dearer for nothing.
  static constexpr size_t kInlineShapeLimit = 150;  // IR instructions, before optimisation
  static void inline_if_small(llvm::Function* f) {
    if (f->hasFnAttribute(llvm::Attribute::OptimizeNone)) return;  // cold: already noinline
    size_t size = 0;
    for (const llvm::BasicBlock& bb : *f) size += bb.size();
    if (size > kInlineShapeLimit) f->addFnAttr(llvm::Attribute::NoInline);
  }

  // ---------------------------------------------------------------- helpers

  llvm::Value* cnum(double v) { return llvm::ConstantFP::get(dbl_, v); }
  llvm::Value* ci32(int v) { return llvm::ConstantInt::get(i32_, v, true); }

  llvm::Value* slot_ptr(int slot) { return b_.CreateConstInBoundsGEP1_64(dbl_, S_, uint64_t(slot)); }
  llvm::Value* slot_ptr(llvm::Value* slot) { return b_.CreateInBoundsGEP(dbl_, S_, slot); }
  llvm::Value* load_slot(int slot) { return b_.CreateLoad(dbl_, slot_ptr(slot)); }
  void store_slot(int slot, llvm::Value* v) { b_.CreateStore(v, slot_ptr(slot)); }

  // The slot `offset` of the party or deal whose id is the double `id`.
  llvm::Value* dynamic_slot_ptr(llvm::GlobalVariable* table, size_t n, llvm::Value* id, int offset) {
    return indexed_slot_ptr(table, n, b_.CreateFPToSI(id, i32_), offset);
  }
  // The same for an i32 index.
  llvm::Value* indexed_slot_ptr(llvm::GlobalVariable* table, size_t n, llvm::Value* idx, int offset) {
    llvm::Value* base_ptr = b_.CreateInBoundsGEP(llvm::ArrayType::get(i32_, n), table, {ci32(0), idx});
    llvm::Value* base = b_.CreateLoad(i32_, base_ptr);
    llvm::Value* slot = b_.CreateAdd(base, ci32(offset));
    return b_.CreateInBoundsGEP(dbl_, S_, slot);
  }
  llvm::Value* party_slot(const HExpr& party, int offset) {
    if (known_const(party)) return load_slot(p_.parties[size_t(party.num)].base + offset);
    return b_.CreateLoad(dbl_, dynamic_slot_ptr(party_base_, p_.parties.size(), expr(party), offset));
  }
  llvm::Value* deal_slot(const HExpr& deal, int offset) {
    if (known_const(deal)) return load_slot(p_.deals[size_t(deal.num)].base + offset);
    size_t n = std::max<size_t>(1, p_.deals.size());
    return b_.CreateLoad(dbl_, dynamic_slot_ptr(deal_base_, n, expr(deal), offset));
  }

  llvm::Value* ctx_field(CtxField f) {
    llvm::Type* t = f == kPeriodFlags || f == kStatus ? i32_ : f >= kObligationCount ? i64_ : f >= kPath ? ptr_ : dbl_;
    return b_.CreateLoad(t, b_.CreateStructGEP(step_ctx_, C_, unsigned(f)));
  }

  // ---------------------------------------------------------------- leaves of a shape

  // While a shape's function is emitted (deals as data, compiler/codegen/shapes.hpp),
  // its leaves come from the member's row of the shape's tables when they are holes,
  // else from the value every member shares; elsewhere from the node itself.
  bool is_hole(const void* node, int which) const {
    return shape_ && shape_->holes.count(LeafRef{node, which, scope_});
  }
  // An HExpr Const whose value is the same wherever this code runs.
  bool known_const(const HExpr& e) const { return e.is_const() && !is_hole(&e, kLeafValue); }

  // Every leaf of a shape's template was seen by find_shapes: one it did not see is a bug.
  double fixed_leaf(const LeafRef& ref) const {
    auto f = shape_->fixed.find(ref);
    if (f == shape_->fixed.end()) throw std::logic_error("code generation: a leaf of a deal's shape was not analysed");
    return f->second;
  }

  llvm::Value* leaf_number(const void* node, int which, double own) {
    if (!shape_) return cnum(own);
    LeafRef ref{node, which, scope_};
    if (auto h = shape_->holes.find(ref); h != shape_->holes.end())
      return b_.CreateLoad(dbl_, b_.CreateConstInBoundsGEP1_64(dbl_, numbers_row_, uint64_t(h->second.index)));
    return cnum(fixed_leaf(ref));
  }
  llvm::Value* leaf_int(const void* node, int which, int own) {
    if (!shape_) return ci32(own);
    LeafRef ref{node, which, scope_};
    if (auto h = shape_->holes.find(ref); h != shape_->holes.end())
      return b_.CreateLoad(i32_, b_.CreateConstInBoundsGEP1_64(i32_, ints_row_, uint64_t(h->second.index)));
    return ci32(int(fixed_leaf(ref)));
  }

  llvm::Value* truth(llvm::Value* d) { return b_.CreateFCmpONE(d, cnum(0)); }
  // A select, not uitofp: fast instruction selection (the cold tier, O0) has no uitofp of
  // an i1 and would hand the rest of the block to SelectionDAG; O2 turns it back into one.
  llvm::Value* from_bool(llvm::Value* i1) { return b_.CreateSelect(i1, cnum(1), cnum(0)); }
  llvm::Value* as_i32(llvm::Value* d) { return b_.CreateFPToSI(d, i32_); }

  llvm::Value* call_rt(const char* name, std::vector<llvm::Value*> args) {
    llvm::Function* f = rt_.at(name);
    args.insert(args.begin(), C_);
    return b_.CreateCall(f, args);
  }

  // Initialisation runs once per path: not worth optimising, and on large programs it is
  // most of the code (LLVM then compiles it quickly, without instruction scheduling).
  llvm::Function* cold(llvm::Function* f) {
    f->addFnAttr(llvm::Attribute::NoInline);
    f->addFnAttr(llvm::Attribute::OptimizeNone);
    return f;
  }

  // An alloca in the function's entry block (so mem2reg promotes it).
  llvm::AllocaInst* entry_alloca(llvm::Type* t, const std::string& name, llvm::Value* count = nullptr) {
    llvm::IRBuilder<> tmp(entry_, entry_->begin());
    return tmp.CreateAlloca(t, count, name);
  }

  // if (cond) { body() }
  template <class F>
  void when_true(llvm::Value* cond_i1, F body, const char* label = "then") {
    auto* then_bb = llvm::BasicBlock::Create(ctx_, label, fn_);
    auto* next_bb = llvm::BasicBlock::Create(ctx_, "next", fn_);
    b_.CreateCondBr(cond_i1, then_bb, next_bb);
    b_.SetInsertPoint(then_bb);
    body();
    b_.CreateBr(next_bb);
    b_.SetInsertPoint(next_bb);
  }

  // ---------------------------------------------------------------- expressions

  llvm::Value* expr(const HExpr& e) {
    switch (e.op) {
      case Op::Const:
        return leaf_number(&e, kLeafValue, e.num);
      case Op::Slot:
        if (is_hole(&e, kLeafValue)) return b_.CreateLoad(dbl_, slot_ptr(leaf_int(&e, kLeafValue, e.index)));
        return load_slot(e.index);
      case Op::Local:
        return b_.CreateLoad(dbl_, locals_.at(size_t(e.index)));
      case Op::Arg:
        return fn_args_.at(size_t(e.index));
      case Op::Dt:
        return ctx_field(kDt);
      case Op::Now:
        return ctx_field(kStepStart);
      case Op::Span:
        return span_ ? span_ : ctx_field(kDt);
      case Op::StepIndex:
        return ctx_field(kStepIndex);
      case Op::Neg:
        return b_.CreateFNeg(expr(e.args[0]));
      case Op::Not:
        return from_bool(b_.CreateFCmpOEQ(expr(e.args[0]), cnum(0)));
      case Op::Add:
        return b_.CreateFAdd(expr(e.args[0]), expr(e.args[1]));
      case Op::Sub:
        return b_.CreateFSub(expr(e.args[0]), expr(e.args[1]));
      case Op::Mul:
        return b_.CreateFMul(expr(e.args[0]), expr(e.args[1]));
      case Op::Div:
        return b_.CreateFDiv(expr(e.args[0]), expr(e.args[1]));
      case Op::Pow:
        return pow(e);
      case Op::Lt:
        return compare(llvm::CmpInst::FCMP_OLT, e);
      case Op::Le:
        return compare(llvm::CmpInst::FCMP_OLE, e);
      case Op::Gt:
        return compare(llvm::CmpInst::FCMP_OGT, e);
      case Op::Ge:
        return compare(llvm::CmpInst::FCMP_OGE, e);
      case Op::Eq:
        return compare(llvm::CmpInst::FCMP_OEQ, e);
      case Op::Ne:
        return compare(llvm::CmpInst::FCMP_UNE, e);
      case Op::And:
        return short_circuit(e, true);
      case Op::Or:
        return short_circuit(e, false);
      case Op::If:
        return if_expr(e);
      case Op::Call:
        return builtin(e);
      case Op::CallFn:
        return call_fn(e);
    }
    return cnum(0);
  }

  llvm::Value* compare(llvm::CmpInst::Predicate pred, const HExpr& e) {
    llvm::Value* a = expr(e.args[0]);
    llvm::Value* b = expr(e.args[1]);
    return from_bool(b_.CreateFCmp(pred, a, b));
  }

  llvm::Value* pow(const HExpr& e) {
    llvm::Value* base = expr(e.args[0]);
    // Small integer exponents as multiplications (exact, and what `(2GW)^2` means).
    if (known_const(e.args[1])) {
      double n = e.args[1].num;
      if (n == std::floor(n) && std::fabs(n) <= 4 && n != 0) {
        llvm::Value* r = base;
        for (int i = 1; i < int(std::fabs(n)); ++i) r = b_.CreateFMul(r, base);
        return n < 0 ? b_.CreateFDiv(cnum(1), r) : r;
      }
    }
    return libm("pow", base, expr(e.args[1]));
  }

  llvm::Value* short_circuit(const HExpr& e, bool is_and) {
    llvm::Value* a = truth(expr(e.args[0]));
    llvm::BasicBlock* from = b_.GetInsertBlock();
    auto* rhs_bb = llvm::BasicBlock::Create(ctx_, is_and ? "and.rhs" : "or.rhs", fn_);
    auto* done_bb = llvm::BasicBlock::Create(ctx_, is_and ? "and.done" : "or.done", fn_);
    if (is_and) b_.CreateCondBr(a, rhs_bb, done_bb);
    else b_.CreateCondBr(a, done_bb, rhs_bb);
    b_.SetInsertPoint(rhs_bb);
    llvm::Value* b = truth(expr(e.args[1]));
    llvm::BasicBlock* rhs_end = b_.GetInsertBlock();
    b_.CreateBr(done_bb);
    b_.SetInsertPoint(done_bb);
    auto* phi = b_.CreatePHI(i1_, 2);
    phi->addIncoming(llvm::ConstantInt::get(i1_, is_and ? 0 : 1), from);
    phi->addIncoming(b, rhs_end);
    return from_bool(phi);
  }

  llvm::Value* if_expr(const HExpr& e) {
    llvm::Value* c = truth(expr(e.args[0]));
    auto* then_bb = llvm::BasicBlock::Create(ctx_, "if.then", fn_);
    auto* else_bb = llvm::BasicBlock::Create(ctx_, "if.else", fn_);
    auto* done_bb = llvm::BasicBlock::Create(ctx_, "if.done", fn_);
    b_.CreateCondBr(c, then_bb, else_bb);
    b_.SetInsertPoint(then_bb);
    llvm::Value* a = expr(e.args[1]);
    llvm::BasicBlock* then_end = b_.GetInsertBlock();
    b_.CreateBr(done_bb);
    b_.SetInsertPoint(else_bb);
    llvm::Value* b = expr(e.args[2]);
    llvm::BasicBlock* else_end = b_.GetInsertBlock();
    b_.CreateBr(done_bb);
    b_.SetInsertPoint(done_bb);
    auto* phi = b_.CreatePHI(dbl_, 2);
    phi->addIncoming(a, then_end);
    phi->addIncoming(b, else_end);
    return phi;
  }

  // min/max that propagate NaN (so a bad value is caught, not hidden).
  llvm::Value* min2(llvm::Value* a, llvm::Value* b) { return b_.CreateSelect(b_.CreateFCmpULT(a, b), a, b); }
  // exp, log and pow as calls to the C library's functions (which their intrinsics become
  // anyway on x86-64: the same functions, the same bits), declared without side effects so
  // that O2 treats them as it treats the intrinsics; fast instruction selection (the cheap
  // tier) takes a plain call but not these intrinsics.
  template <class... Args>
  llvm::Value* libm(const char* name, Args... args) {
    std::vector<llvm::Type*> params(sizeof...(Args), dbl_);
    llvm::Function* f = m_->getFunction(name);
    if (!f) {
      f = llvm::Function::Create(llvm::FunctionType::get(dbl_, params, false), llvm::Function::ExternalLinkage, name,
                                 m_);
      f->setDoesNotThrow();
      f->setWillReturn();
      f->setDoesNotAccessMemory();
    }
    return b_.CreateCall(f, {args...});
  }

  llvm::Value* max2(llvm::Value* a, llvm::Value* b) { return b_.CreateSelect(b_.CreateFCmpUGT(a, b), a, b); }

  llvm::Value* builtin(const HExpr& e) {
    auto arg = [&](size_t i) { return expr(e.args[i]); };
    auto unary = [&](llvm::Intrinsic::ID id) { return b_.CreateUnaryIntrinsic(id, arg(0)); };
    switch (e.fn) {
      case Builtin::Min:
      case Builtin::Max: {
        llvm::Value* r = arg(0);
        for (size_t i = 1; i < e.args.size(); ++i) r = e.fn == Builtin::Min ? min2(r, arg(i)) : max2(r, arg(i));
        return r;
      }
      case Builtin::Abs:
        return unary(llvm::Intrinsic::fabs);
      case Builtin::Floor:
        return unary(llvm::Intrinsic::floor);
      case Builtin::Ceil:
        return unary(llvm::Intrinsic::ceil);
      case Builtin::Round:
        return unary(llvm::Intrinsic::round);
      case Builtin::Exp:
        return libm("exp", arg(0));
      case Builtin::Log:
        return libm("log", arg(0));
      case Builtin::Sqrt:
        return unary(llvm::Intrinsic::sqrt);
      case Builtin::Clamp: {
        llvm::Value* x = arg(0);
        llvm::Value* lo = arg(1);
        llvm::Value* hi = arg(2);
        return min2(max2(x, lo), hi);
      }
      case Builtin::Years:
        return arg(0);
      case Builtin::DateOf: {
        llvm::Value* t = arg(0);
        return call_rt("deal_rt_date_of", {t, site_of(&e, kLeafCall, e.span)});
      }
      case Builtin::Annuity: {
        // Present value of n payments of 1 at rate r per period: (1 − (1+r)^−n)/r; n when r = 0.
        llvm::Value* r = arg(0);
        llvm::Value* n = arg(1);
        llvm::Value* v = libm("pow", b_.CreateFAdd(cnum(1), r), b_.CreateFNeg(n));
        llvm::Value* a = b_.CreateFDiv(b_.CreateFSub(cnum(1), v), r);
        return b_.CreateSelect(b_.CreateFCmpOEQ(r, cnum(0)), n, a);
      }
      case Builtin::Npv: {
        // A constant flow f over T years discounted at r per year (annual compounding,
        // continuous payments): f·(1 − (1+r)^−T)/ln(1+r); f·T when r = 0.
        llvm::Value* r = arg(0);
        llvm::Value* f = arg(1);
        llvm::Value* t = arg(2);
        llvm::Value* g = b_.CreateFAdd(cnum(1), r);
        llvm::Value* v = libm("pow", g, b_.CreateFNeg(t));
        llvm::Value* pv = b_.CreateFDiv(b_.CreateFMul(f, b_.CreateFSub(cnum(1), v)), libm("log", g));
        return b_.CreateSelect(b_.CreateFCmpOEQ(r, cnum(0)), b_.CreateFMul(f, t), pv);
      }
      case Builtin::Discount: {
        llvm::Value* r = arg(0);
        llvm::Value* t = arg(1);
        return libm("pow", b_.CreateFAdd(cnum(1), r), b_.CreateFNeg(t));
      }
      case Builtin::Paid:
        return deal_slot(e.args[0], check::kPaid);
      case Builtin::Due:
        return deal_slot(e.args[0], check::kDue);
      case Builtin::Inflow:
        return call_rt("deal_rt_inflow", {as_i32(arg(0))});
      case Builtin::Outflow:
        return call_rt("deal_rt_outflow", {as_i32(arg(0))});
      case Builtin::RevenueFrom: {
        llvm::Value* a = as_i32(arg(0));
        return call_rt("deal_rt_revenue_from", {a, as_i32(arg(1))});
      }
      case Builtin::Equity:
        return party_slot(e.args[0], check::kEquity);
      case Builtin::Defaulted:
        return party_slot(e.args[0], check::kDefaulted);
      case Builtin::Holdings: {
        llvm::Value* a = as_i32(arg(0));
        return call_rt("deal_rt_holdings", {a, as_i32(arg(1))});
      }
      case Builtin::Normal: {
        llvm::Value* a = arg(0);
        return call_rt("deal_rt_normal", {a, arg(1)});
      }
      case Builtin::Lognormal: {
        llvm::Value* mu = arg(0);
        llvm::Value* sigma = arg(1);
        llvm::Value* scale = e.args.size() > 2 ? arg(2) : cnum(1);
        return call_rt("deal_rt_lognormal", {mu, sigma, scale});
      }
      case Builtin::Uniform: {
        llvm::Value* a = arg(0);
        return call_rt("deal_rt_uniform", {a, arg(1)});
      }
      case Builtin::Bernoulli:
        return call_rt("deal_rt_bernoulli", {arg(0)});
    }
    return cnum(0);
  }

  // User functions become internal functions of doubles (LLVM inlines the small ones).
  llvm::Function* user_fn(int index) {
    auto it = user_fns_.find(index);
    if (it != user_fns_.end()) return it->second;
    const check::HFn& f = p_.fns[size_t(index)];
    if (f.is_extern) return nullptr;
    std::vector<llvm::Type*> params(f.params.size(), dbl_);
    params.push_back(ptr_);  // the step context, for draws and runtime queries
    params.push_back(ptr_);  // the state (fns may read params)
    auto* ft = llvm::FunctionType::get(dbl_, params, false);
    auto* fn = llvm::Function::Create(ft, llvm::Function::InternalLinkage, "fn_" + f.name, m_);
    fn->addFnAttr(llvm::Attribute::NoUnwind);
    user_fns_[index] = fn;
    // Save the caller's emission state, emit the body, restore.
    auto saved =
        std::make_tuple(fn_, S_, C_, entry_, span_, fn_args_, locals_, b_.GetInsertBlock(), b_.GetInsertPoint());
    // A fn's body is the program's, not a shape's: no leaves from a deal's row.
    auto saved_shape = std::make_tuple(shape_, numbers_row_, ints_row_, scope_);
    shape_ = nullptr;
    scope_ = nullptr;
    fn_ = fn;
    C_ = fn->getArg(unsigned(f.params.size()));
    S_ = fn->getArg(unsigned(f.params.size() + 1));
    entry_ = llvm::BasicBlock::Create(ctx_, "entry", fn);
    b_.SetInsertPoint(entry_);
    span_ = nullptr;
    fn_args_.clear();
    for (size_t i = 0; i < f.params.size(); ++i) fn_args_.push_back(fn->getArg(unsigned(i)));
    locals_.clear();
    b_.CreateRet(expr(f.body));
    std::tie(fn_, S_, C_, entry_, span_, fn_args_, locals_, std::ignore, std::ignore) = saved;
    b_.SetInsertPoint(std::get<7>(saved), std::get<8>(saved));
    std::tie(shape_, numbers_row_, ints_row_, scope_) = saved_shape;
    return fn;
  }

  llvm::Value* call_fn(const HExpr& e) {
    const check::HFn& f = p_.fns[size_t(e.index)];
    std::vector<llvm::Value*> args;
    for (const HExpr& a : e.args) args.push_back(expr(a));
    if (f.is_extern) {
      // Arguments through a buffer: the host's function table is indexed by extern id.
      llvm::Value* buf = entry_alloca(dbl_, "host.args", ci32(int(std::max<size_t>(1, args.size()))));
      for (size_t i = 0; i < args.size(); ++i) b_.CreateStore(args[i], b_.CreateConstInBoundsGEP1_64(dbl_, buf, i));
      return call_rt("deal_rt_host", {ci32(e.index), buf, ci32(int(args.size())), site_of(&e, kLeafCall, e.span)});
    }
    llvm::Function* fn = user_fn(e.index);
    args.push_back(C_);
    args.push_back(S_);
    return b_.CreateCall(fn, args);
  }

  // ---------------------------------------------------------------- statements

  void body(const HBody& stmts) {
    for (const HStmt& s : stmts) stmt(s);
  }

  // Site ids count from site_base_ (a module compiled against another's sites).
  int store_site(const std::string& name, Span span) {
    out_.sites.push_back({name, span});
    return site_base_ + int(out_.sites.size() - 1);
  }

  // The site of a statement or call that can fail at run time. Every member of a shape
  // has the same source (its contract's), so one site serves them all; code emitted
  // more than once (an `on default` clause per entry) registers its span once.
  int call_site(Span span) {
    auto key = std::tuple(span.file, span.line, span.col, span.end_line, span.end_col);
    auto [it, fresh] = call_sites_.try_emplace(key, site_base_ + int(out_.sites.size()));
    if (fresh) out_.sites.push_back({"", span});
    return it->second;
  }

  // The site of a call or statement that can fail at run time: in a party's shape a leaf
  // (parties' sources differ; find_party_shapes registered one per member), else by span.
  llvm::Value* site_of(const void* node, int which, Span span) {
    if (shape_) {
      LeafRef ref{node, which, scope_};
      if (shape_->holes.count(ref) || shape_->fixed.count(ref)) return leaf_int(node, which, -1);
    }
    return ci32(call_site(span));
  }

  // Whether a constant is a number in every member of the shape (a deal's date argument,
  // from its table column): its check would run every step and never fire.
  bool never_nan(const HExpr& e) const {
    if (!e.is_const()) return false;
    if (!is_hole(&e, kLeafValue)) return !std::isnan(shape_ ? fixed_leaf(LeafRef{&e, kLeafValue, scope_}) : e.num);
    const Column& col = shape_->holes.at(LeafRef{&e, kLeafValue, scope_});
    if (col.kind != LeafKind::Number) return false;
    const size_t stride = size_t(shape_->number_columns);
    for (size_t at = size_t(col.index); at < shape_->numbers.size(); at += stride)
      if (std::isnan(shape_->numbers[at])) return false;
    return true;
  }

  // A date an `at`, `from` or `until` computes: NaN stops the run at its line (it would
  // otherwise never fire).
  llvm::Value* checked_date(const HExpr& e, rt::BadValue what = rt::kNotADate) {
    llvm::Value* t = expr(e);
    if (never_nan(e)) return t;
    when_true(
        b_.CreateFCmpUNO(t, t),
        [&] {
          call_rt("deal_rt_bad_value", {site_of(&e, kLeafDate, e.span), ci32(what), t});
        },
        "nan_date");
    return t;
  }

  // Whether `slot` is a (real) party's cash; its cash, debt or credit (never negative,
  // LANGUAGE.md §6.3).
  bool is_party_cash(int slot) const { return money_kind(slot) == 1; }
  bool is_party_money(int slot) const { return money_kind(slot) != 0; }
  // 0: not a party's money; 1: cash; 2: debt or credit (per slot, built once).
  int money_kind(int slot) const {
    if (money_slots_.empty()) {
      money_slots_.assign(size_t(std::max(1, p_.slot_count)), 0);
      for (size_t pi = 1; pi < p_.parties.size(); ++pi) {
        const int base = p_.parties[pi].base;
        money_slots_.at(size_t(base + check::kCash)) = 1;
        money_slots_.at(size_t(base + check::kDebt)) = 2;
        money_slots_.at(size_t(base + check::kCredit)) = 2;
      }
    }
    return slot >= 0 && size_t(slot) < money_slots_.size() ? money_slots_[size_t(slot)] : 0;
  }

  int emit_site(const HStmt& s) {
    EmitSite site{s.pieces, {}, s.span};
    for (const HExpr& a : s.args) site.types.push_back(a.type);
    out_.emits.push_back(site);
    return int(out_.emits.size() - 1);
  }

  SiteIds site_ids() {
    SiteIds ids;
    ids.store = [this](const HStmt& st, int) { return store_site(st.name, st.span); };
    ids.emit = [this](const HStmt& st, int) { return emit_site(st); };
    ids.call = [this](Span span) { return call_site(span); };
    return ids;
  }

  // Stores v into a slot and reports a NaN or infinity with the state's name and line.
  // A store into a party's cash, debt or credit (`money`) also stops the run if negative.
  void checked_store(int slot, llvm::Value* v, int site) {
    checked_store(slot_ptr(slot), v, ci32(site), is_party_money(slot));
  }
  void checked_store(llvm::Value* ptr, llvm::Value* v, llvm::Value* site, bool money,
                     rt::BadValue negative = rt::kNegativeMoney) {
    b_.CreateStore(v, ptr);
    if (money)
      when_true(
          b_.CreateFCmpOLT(v, cnum(0)),
          [&] {
            call_rt("deal_rt_bad_value", {site, ci32(negative), v});
          },
          "negative");
    // v − v is +0 exactly when v is finite (NaN for ±∞ and NaN). Not fabs(v) < ∞: fast
    // instruction selection has no fabs, and this check follows every store.
    llvm::Value* finite = b_.CreateFCmpOEQ(b_.CreateFSub(v, v), cnum(0));
    auto* bad_bb = llvm::BasicBlock::Create(ctx_, "nonfinite", fn_);
    auto* ok_bb = llvm::BasicBlock::Create(ctx_, "finite", fn_);
    b_.CreateCondBr(finite, ok_bb, bad_bb);
    b_.SetInsertPoint(bad_bb);
    call_rt("deal_rt_nonfinite", {site, v});
    b_.CreateBr(ok_bb);
    b_.SetInsertPoint(ok_bb);
  }

  void stmt(const HStmt& s) {
    switch (s.kind) {
      case SKind::Let:
        b_.CreateStore(expr(s.value), locals_.at(size_t(s.index)));
        break;
      case SKind::Store: {
        // In a shape the store's site was registered per member (find_shapes).
        llvm::Value* site = shape_ ? leaf_int(&s, kLeafSite, -1) : ci32(store_site(s.name, s.span));
        llvm::Value* ptr = is_hole(&s, kLeafValue) ? slot_ptr(leaf_int(&s, kLeafValue, s.index)) : slot_ptr(s.index);
        // Every member stores the same field (the template's), so one test decides for all.
        llvm::Value* v = expr(s.value);
        if (is_party_cash(s.index)) {
          // A direct write of cash is a ledger row of its own (an adjustment).
          llvm::Value* slot = is_hole(&s, kLeafValue) ? leaf_int(&s, kLeafValue, s.index) : ci32(s.index);
          llvm::Value* before = b_.CreateLoad(dbl_, ptr);
          checked_store(ptr, v, site, true);
          call_rt("deal_rt_cash_written", {slot, before, v});
        } else {
          checked_store(ptr, v, site, is_party_money(s.index));
        }
        break;
      }
      case SKind::If: {
        llvm::Value* c = truth(expr(s.value));
        auto* then_bb = llvm::BasicBlock::Create(ctx_, "then", fn_);
        auto* else_bb = llvm::BasicBlock::Create(ctx_, "else", fn_);
        auto* done_bb = llvm::BasicBlock::Create(ctx_, "endif", fn_);
        b_.CreateCondBr(c, then_bb, else_bb);
        b_.SetInsertPoint(then_bb);
        body(s.then_body);
        b_.CreateBr(done_bb);
        b_.SetInsertPoint(else_bb);
        body(s.else_body);
        b_.CreateBr(done_bb);
        b_.SetInsertPoint(done_bb);
        break;
      }
      case SKind::Pay: {
        llvm::Value* from = as_i32(expr(s.args[0]));
        llvm::Value* to = as_i32(expr(s.args[1]));
        llvm::Value* amount = expr(s.args[2]);
        llvm::Value* priority = expr(s.args[3]);
        if (!pay_fn_) throw std::logic_error("code generation: `pay` outside a program's module");
        b_.CreateCall(pay_fn_, {S_, C_, from, to, amount, priority, leaf_int(&s, kLeafDeal, s.deal),
                                site_of(&s, kLeafCall, s.span)});
        break;
      }
      case SKind::Own:
      case SKind::Sell: {
        llvm::Value* holder = as_i32(expr(s.args[0]));
        llvm::Value* issuer = as_i32(expr(s.args[1]));
        llvm::Value* stake = expr(s.args[2]);
        call_rt(s.kind == SKind::Own ? "deal_rt_own" : "deal_rt_sell",
                {holder, issuer, stake, site_of(&s, kLeafCall, s.span)});
        break;
      }
      case SKind::Claim: {
        llvm::Value* debtor = as_i32(expr(s.args[0]));
        llvm::Value* creditor = as_i32(expr(s.args[1]));
        llvm::Value* amount = expr(s.args[2]);
        llvm::Value* rank = expr(s.args[3]);
        call_rt("deal_rt_claim",
                {debtor, creditor, amount, rank, leaf_int(&s, kLeafDeal, s.deal), site_of(&s, kLeafCall, s.span)});
        break;
      }
      case SKind::Issue: {
        llvm::Value* issuer = as_i32(expr(s.args[0]));
        llvm::Value* holder = as_i32(expr(s.args[1]));
        llvm::Value* stake = expr(s.args[2]);
        call_rt("deal_rt_issue", {issuer, holder, stake, site_of(&s, kLeafCall, s.span)});
        break;
      }
      case SKind::Borrow: {
        llvm::Value* party = as_i32(expr(s.args[0]));
        llvm::Value* amount = expr(s.args[1]);
        call_rt("deal_rt_borrow", {party, amount, site_of(&s, kLeafCall, s.span)});
        break;
      }
      case SKind::Default:
        call_rt("deal_rt_default", {as_i32(expr(s.args[0]))});
        break;
      case SKind::Terminate:
        // The deal ends after this block: clauses check `alive` before they run.
        b_.CreateStore(cnum(0), slot_ptr(leaf_int(&s, kLeafValue, p_.deals[size_t(s.index)].base + check::kAlive)));
        break;
      case SKind::Emit: {
        llvm::Value* id = shape_ ? leaf_int(&s, kLeafSite, -1) : ci32(emit_site(s));
        llvm::Value* buf = entry_alloca(dbl_, "emit.args", ci32(int(std::max<size_t>(1, s.args.size()))));
        for (size_t i = 0; i < s.args.size(); ++i)
          b_.CreateStore(expr(s.args[i]), b_.CreateConstInBoundsGEP1_64(dbl_, buf, i));
        call_rt("deal_rt_emit", {id, buf});
        break;
      }
    }
  }

  // Fresh allocas for a clause's locals.
  void begin_locals(int n) {
    locals_.clear();
    for (int i = 0; i < n; ++i) locals_.push_back(entry_alloca(dbl_, fmt::format("local{}", i)));
  }

  // ---------------------------------------------------------------- clauses

  // Runs `c` if this step is in its schedule (at / every / whenever).
  void scheduled_clause(const HClause& c) {
    begin_locals(c.locals);
    switch (c.kind) {
      case ClauseKind::At: {
        llvm::Value* t = checked_date(*c.at);
        llvm::Value* in_step =
            b_.CreateAnd(b_.CreateFCmpOLE(ctx_field(kStepStart), t), b_.CreateFCmpOLT(t, ctx_field(kStepEnd)));
        when_true(
            in_step, [&] { body(c.body); }, "at");
        break;
      }
      case ClauseKind::Every: {
        if (!c.from && !c.length && !c.until) {
          // No window: every step (or every step starting a month/quarter/year); span = dt.
          auto run_body = [&] {
            llvm::Value* saved = span_;
            span_ = ctx_field(kDt);
            body(c.body);
            span_ = saved;
          };
          int flag = c.period == Period::Month     ? rt::kStartsMonth
                     : c.period == Period::Quarter ? rt::kStartsQuarter
                     : c.period == Period::Year    ? rt::kStartsYear
                                                   : 0;
          if (!flag) run_body();
          else
            when_true(b_.CreateICmpNE(b_.CreateAnd(ctx_field(kPeriodFlags), ci32(flag)), ci32(0)), run_body, "every");
          break;
        }
        // The window [from, end) in month numbers; runs when it overlaps the step.
        double cal_start = check::date_to_months(p_.calendar.from);
        llvm::Value* from = c.from ? checked_date(*c.from) : cnum(cal_start);
        llvm::Value* end = cnum(std::numeric_limits<double>::infinity());
        if (c.length) end = b_.CreateFAdd(from, b_.CreateFMul(checked_date(*c.length, rt::kNotADuration), cnum(12)));
        else if (c.until) end = checked_date(*c.until);
        llvm::Value* lo = max2(from, ctx_field(kStepStart));
        llvm::Value* hi = min2(end, ctx_field(kStepEnd));
        llvm::Value* overlap = b_.CreateFSub(hi, lo);
        llvm::Value* run = b_.CreateFCmpOGT(overlap, cnum(1e-9));  // months; guards against rounding
        int flag = c.period == Period::Month     ? rt::kStartsMonth
                   : c.period == Period::Quarter ? rt::kStartsQuarter
                   : c.period == Period::Year    ? rt::kStartsYear
                                                 : 0;
        if (flag) {
          llvm::Value* flags = ctx_field(kPeriodFlags);
          run = b_.CreateAnd(run, b_.CreateICmpNE(b_.CreateAnd(flags, ci32(flag)), ci32(0)));
        }
        when_true(
            run,
            [&] {
              // span: the overlap in years (the whole step when the window covers it).
              llvm::Value* saved = span_;
              span_ = b_.CreateFDiv(overlap, cnum(12));
              body(c.body);
              span_ = saved;
            },
            "every");
        break;
      }
      case ClauseKind::Whenever:
        when_true(
            truth(expr(*c.cond)), [&] { body(c.body); }, "whenever");
        break;
      default:
        break;
    }
  }

  // A `when` clause: once, the first step its condition holds.
  void trigger_clause(const HClause& c) {
    begin_locals(c.locals);
    llvm::Value* fired = slot_ptr(leaf_int(&c, kLeafFired, c.fired_slot));
    llvm::Value* not_fired = b_.CreateFCmpOEQ(b_.CreateLoad(dbl_, fired), cnum(0));
    when_true(
        not_fired,
        [&] {
          when_true(
              truth(expr(*c.cond)),
              [&] {
                b_.CreateStore(cnum(1), fired);
                body(c.body);
              },
              "when");
        },
        "unfired");
  }

  llvm::Value* alive(int d) { return truth(load_slot(p_.deals[size_t(d)].base + check::kAlive)); }
  // In a shape's function: the member deal's `alive` slot.
  llvm::Value* alive_slot(const check::HDeal& tmpl) {
    return slot_ptr(leaf_int(&tmpl, kLeafAlive, tmpl.base + check::kAlive));
  }
  llvm::Value* member_alive(const check::HDeal& tmpl) { return truth(b_.CreateLoad(dbl_, alive_slot(tmpl))); }

  // A constant global array (internal), e.g. a shape's table.
  template <class T>
  llvm::GlobalVariable* table(const std::string& name, const std::vector<T>& values) {
    llvm::Constant* init = llvm::ConstantDataArray::get(ctx_, llvm::ArrayRef<T>(values));
    return new llvm::GlobalVariable(*m_, init->getType(), true, llvm::GlobalValue::InternalLinkage, init, name);
  }

  // Starts the function of a shape (deals or parties as data): `params` are S, C, any
  // extra arguments and last the member's row, whose entries of the shape's tables the
  // leaves read (numbers_row_, ints_row_).
  llvm::Function* begin_shape_fn(const std::string& name, const Shape& shape, const std::vector<llvm::Type*>& params) {
    auto* f = llvm::Function::Create(llvm::FunctionType::get(void_, params, false), llvm::Function::InternalLinkage,
                                     name, m_);
    f->addFnAttr(llvm::Attribute::NoUnwind);
    fn_ = f;
    S_ = f->getArg(0);
    C_ = f->getArg(1);
    S_->setName("S");
    C_->setName("C");
    f->getArg(0)->addAttr(llvm::Attribute::NoAlias);
    llvm::Value* row = f->getArg(unsigned(params.size() - 1));
    row->setName("row");
    entry_ = llvm::BasicBlock::Create(ctx_, "entry", f);
    b_.SetInsertPoint(entry_);
    shape_ = &shape;
    numbers_row_ = ints_row_ = nullptr;
    if (shape.number_columns > 0) {
      llvm::Value* at = b_.CreateMul(row, ci32(shape.number_columns));
      numbers_row_ = b_.CreateInBoundsGEP(dbl_, table(name + ".numbers", shape.numbers), at);
    }
    if (shape.int_columns > 0) {
      llvm::Value* at = b_.CreateMul(row, ci32(shape.int_columns));
      ints_row_ = b_.CreateInBoundsGEP(i32_, table(name + ".ints", shape.ints), at);
    }
    return f;
  }

  // A shape's function: its template's `part`, run for the member whose row is the
  // function's last argument (i32). `extra` (OnDefault: the defaulted party, i32) comes
  // before it.
  llvm::Function* shape_fn(const std::string& name, const Shape& shape, DealPart part, bool cold_code) {
    const bool on_default = part == DealPart::OnDefault;
    std::vector<llvm::Type*> params = {ptr_, ptr_};
    if (on_default) params.push_back(i32_);
    params.push_back(i32_);
    llvm::Function* f = begin_shape_fn(name, shape, params);
    if (cold_code) cold(f);
    const check::HDeal& tmpl = p_.deals[size_t(shape.deals.front())];
    if (on_default) {
      llvm::Value* party = f->getArg(2);
      llvm::Value* alive_ptr = alive_slot(tmpl);  // outside the entries' scopes
      for (const auto& od : tmpl.on_default) {
        if (od.clause < 0) continue;
        scope_ = &od;
        llvm::Value* alive_now = truth(b_.CreateLoad(dbl_, alive_ptr));
        llvm::Value* hit = b_.CreateAnd(b_.CreateICmpEQ(party, leaf_int(&od, kLeafParty, od.party)), alive_now);
        when_true(
            hit,
            [&] {
              const HClause& c = tmpl.clauses[size_t(od.clause)];
              begin_locals(c.locals);
              body(c.body);
            },
            "on_default");
        scope_ = nullptr;
      }
    } else {
      for (const HClause* c : part_clauses(tmpl, part))
        // Checked before every clause: an earlier clause may have terminated the deal.
        when_true(
            member_alive(tmpl),
            [&] {
              if (part == DealPart::Triggers) trigger_clause(*c);
              else scheduled_clause(*c);
            },
            "alive");
    }
    end_fn();
    inline_if_small(f);
    shape_ = nullptr;
    return f;
  }

  // A loop over a table of (shape, row), in the deals' declaration order, calling each
  // row's shape function: the code of a phase does not grow with the number of deals.
  // `extra` is passed before the row (OnDefault: the party).
  void dispatch(const std::string& name, const Shapes& shapes, const std::vector<llvm::Function*>& fns,
                llvm::Value* extra) {
    if (shapes.order.empty()) return;
    std::vector<int32_t> which, rows;
    for (auto [k, r] : shapes.order) {
      which.push_back(k);
      rows.push_back(r);
    }
    llvm::GlobalVariable* which_t = table(name + ".shape", which);
    llvm::GlobalVariable* rows_t = table(name + ".row", rows);
    const int n = int(which.size());
    llvm::BasicBlock* before = b_.GetInsertBlock();
    auto* loop = llvm::BasicBlock::Create(ctx_, "deals", fn_);
    auto* next = llvm::BasicBlock::Create(ctx_, "deals.next", fn_);
    auto* done = llvm::BasicBlock::Create(ctx_, "deals.done", fn_);
    b_.CreateBr(loop);
    b_.SetInsertPoint(loop);
    llvm::PHINode* i = b_.CreatePHI(i32_, 2, "i");
    i->addIncoming(ci32(0), before);
    llvm::Value* k =
        b_.CreateLoad(i32_, b_.CreateInBoundsGEP(llvm::ArrayType::get(i32_, uint64_t(n)), which_t, {ci32(0), i}));
    llvm::Value* r =
        b_.CreateLoad(i32_, b_.CreateInBoundsGEP(llvm::ArrayType::get(i32_, uint64_t(n)), rows_t, {ci32(0), i}));
    llvm::SwitchInst* sw = b_.CreateSwitch(k, next, unsigned(fns.size()));
    for (size_t f = 0; f < fns.size(); ++f) {
      auto* call = llvm::BasicBlock::Create(ctx_, "shape", fn_);
      sw->addCase(llvm::ConstantInt::get(llvm::cast<llvm::IntegerType>(i32_), uint64_t(f)), call);
      b_.SetInsertPoint(call);
      std::vector<llvm::Value*> args = {S_, C_};
      if (extra) args.push_back(extra);
      args.push_back(r);
      b_.CreateCall(fns[f], args);
      b_.CreateBr(next);
    }
    b_.SetInsertPoint(next);
    llvm::Value* i1 = b_.CreateAdd(i, ci32(1));
    i->addIncoming(i1, next);
    b_.CreateCondBr(b_.CreateICmpSLT(i1, ci32(n)), loop, done);
    b_.SetInsertPoint(done);
  }

  // A phase over deals: one function per shape (deals of one contract, as data), called
  // for each deal in order from the phase function's loop.
  void emit_deals_step(const std::string& name, const std::vector<int>& deals, bool triggers) {
    DealPart part = triggers ? DealPart::Triggers : DealPart::Step;
    Shapes shapes = find_shapes(p_, deals, part, site_ids());
    std::vector<llvm::Function*> fns;
    for (size_t k = 0; k < shapes.shapes.size(); ++k)
      fns.push_back(
          shape_fn(fmt::format("{}.{}", name,
                               p_.deals[size_t(shapes.shapes[k].deals.front())].contract + "." + std::to_string(k)),
                   shapes.shapes[k], part, false));
    begin_fn(name);
    dispatch(name, shapes, fns, nullptr);
    end_fn();
  }

  // A party shape's function (parties as data, find_party_shapes): its template's
  // `every` blocks (Step) or valuation (Values, `extra` the output array), for the member
  // whose row is the last argument.
  llvm::Function* party_shape_fn(const std::string& name, const Shape& shape, PartyPart part) {
    std::vector<llvm::Type*> params = {ptr_, ptr_};
    if (part == PartyPart::Values) params.push_back(ptr_);
    params.push_back(i32_);
    llvm::Function* f = begin_shape_fn(name, shape, params);
    const check::HParty& tmpl = p_.parties[size_t(shape.deals.front())];
    if (part == PartyPart::Values) {
      locals_.clear();
      llvm::Value* v = expr(tmpl.value);
      llvm::Value* at = leaf_int(&tmpl, kLeafOut, shape.deals.front());
      b_.CreateStore(v, b_.CreateInBoundsGEP(dbl_, f->getArg(2), at));
    } else {
      llvm::Value* defaulted = slot_ptr(leaf_int(&tmpl, kLeafAlive, tmpl.base + check::kDefaulted));
      for (const HClause& c : tmpl.clauses) {
        llvm::Value* live = b_.CreateFCmpOEQ(b_.CreateLoad(dbl_, defaulted), cnum(0));
        when_true(
            live, [&] { scheduled_clause(c); }, "live");
      }
    }
    end_fn();
    inline_if_small(f);
    shape_ = nullptr;
    return f;
  }

  // The parties' `every` blocks: one function per party shape, called for each party in
  // order from a loop over a table (see emit_deals_step), so the code grows with the
  // kinds of party, not their number.
  void emit_parties_step() {
    Shapes shapes = find_party_shapes(p_, PartyPart::Step, site_ids());
    std::vector<llvm::Function*> fns;
    for (size_t k = 0; k < shapes.shapes.size(); ++k)
      fns.push_back(party_shape_fn(
          fmt::format("{}.{}.{}", names::parties_step, p_.parties[size_t(shapes.shapes[k].deals.front())].name, k),
          shapes.shapes[k], PartyPart::Step));
    begin_fn(names::parties_step);
    dispatch(names::parties_step, shapes, fns, nullptr);
    end_fn();
  }

  void emit_shock(int s) {
    const check::HShock& shock = p_.shocks[size_t(s)];
    begin_fn(names::shock_at(s));
    for (const HClause& c : shock.clauses)
      if (c.kind == ClauseKind::At) scheduled_clause(c);
    end_fn();
    begin_fn(names::shock_triggers(s));
    for (const HClause& c : shock.clauses)
      if (c.kind == ClauseKind::When) trigger_clause(c);
    end_fn();
  }

  // Every `pay`: deal.pay(S, C, from, to, amount, priority, deal, site). The usual payment
  // — parties in range and distinct, an amount positive and finite (one unsigned test on
  // its bits), a whole priority 0..1000, room in the buffer: what PathRun::pay would store
  // as it is — is appended to the step context's obligations here, or skipped if the payer has
  // defaulted; anything else goes to deal_rt_pay, which makes every check in order. Small,
  // so the optimising tier inlines it into every `pay` (with a literal priority its test
  // folds away): no call per obligation; the cheap tier calls it.
  void emit_pay_fn() {
    auto* ft = llvm::FunctionType::get(void_, {ptr_, ptr_, i32_, i32_, dbl_, dbl_, i32_, i32_}, false);
    pay_fn_ = llvm::Function::Create(ft, llvm::Function::InternalLinkage, names::pay, m_);
    llvm::Function* f = pay_fn_;
    f->addFnAttr(llvm::Attribute::NoUnwind);
    f->getArg(0)->addAttr(llvm::Attribute::NoAlias);
    fn_ = f;
    S_ = f->getArg(0);
    C_ = f->getArg(1);
    llvm::Value *from = f->getArg(2), *to = f->getArg(3), *amount = f->getArg(4), *priority = f->getArg(5);
    llvm::Value *deal = f->getArg(6), *site = f->getArg(7);
    b_.SetInsertPoint(llvm::BasicBlock::Create(ctx_, "entry", f));
    const int parties = int(p_.parties.size()) - 1;  // real parties; ids 0 (World) .. parties
    llvm::Value* ok = b_.CreateAnd(b_.CreateICmpULE(from, ci32(parties)), b_.CreateICmpULE(to, ci32(parties)));
    ok = b_.CreateAnd(ok, b_.CreateICmpNE(from, to));
    llvm::Value* bits = b_.CreateBitCast(amount, i64_);
    const uint64_t inf_bits = 0x7ff0000000000000ULL;
    ok = b_.CreateAnd(ok, b_.CreateICmpULT(b_.CreateSub(bits, llvm::ConstantInt::get(i64_, 1)),
                                           llvm::ConstantInt::get(i64_, inf_bits - 1)));
    // A whole priority in range; converted only when in range (else the conversion is poison).
    llvm::Value* in_range = b_.CreateAnd(b_.CreateFCmpOGE(priority, cnum(0)), b_.CreateFCmpOLE(priority, cnum(1000)));
    llvm::Value* whole = b_.CreateFPToSI(b_.CreateSelect(in_range, priority, cnum(0)), i32_);
    ok = b_.CreateAnd(ok, b_.CreateAnd(in_range, b_.CreateFCmpOEQ(b_.CreateSIToFP(whole, dbl_), priority)));
    llvm::Value* count = ctx_field(kObligationCount);
    ok = b_.CreateAnd(ok, b_.CreateICmpNE(count, ctx_field(kObligationCapacity)));
    auto* fast = llvm::BasicBlock::Create(ctx_, "fast", f);
    auto* slow = llvm::BasicBlock::Create(ctx_, "slow", f);
    auto* party = llvm::BasicBlock::Create(ctx_, "payer", f);
    auto* store = llvm::BasicBlock::Create(ctx_, "store", f);
    auto* done = llvm::BasicBlock::Create(ctx_, "done", f);
    b_.CreateCondBr(ok, fast, slow);
    b_.SetInsertPoint(slow);
    call_rt("deal_rt_pay", {from, to, amount, priority, deal, site});
    b_.CreateBr(done);
    // Defaulted parties create no obligations (World never defaults).
    b_.SetInsertPoint(fast);
    b_.CreateCondBr(b_.CreateICmpEQ(from, ci32(0)), store, party);
    b_.SetInsertPoint(party);
    llvm::Value* defaulted =
        b_.CreateLoad(dbl_, indexed_slot_ptr(party_base_, p_.parties.size(), from, check::kDefaulted));
    b_.CreateCondBr(b_.CreateFCmpUNE(defaulted, cnum(0)), done, store);
    b_.SetInsertPoint(store);
    llvm::Value* o = b_.CreateInBoundsGEP(obligation_, ctx_field(kObligations), count);
    b_.CreateStore(b_.CreateAdd(count, llvm::ConstantInt::get(i64_, 1)),
                   b_.CreateStructGEP(step_ctx_, C_, unsigned(kObligationCount)));
    // Runtime indices: party id − 1 (World is −1).
    b_.CreateStore(b_.CreateSub(from, ci32(1)), b_.CreateStructGEP(obligation_, o, 0));
    b_.CreateStore(b_.CreateSub(to, ci32(1)), b_.CreateStructGEP(obligation_, o, 1));
    b_.CreateStore(whole, b_.CreateStructGEP(obligation_, o, 2));
    b_.CreateStore(deal, b_.CreateStructGEP(obligation_, o, 3));
    b_.CreateStore(amount, b_.CreateStructGEP(obligation_, o, 4));
    b_.CreateBr(done);
    b_.SetInsertPoint(done);
    end_fn();
  }

  // Default handling, called with the party that defaulted. Each deal's `on default`
  // entries in declaration order: an entry with a clause runs the deal's clauses (one
  // function per shape, cold code: it runs rarely), a plain entry terminates the deal.
  // Both from tables indexed by the party (an entry is listed under each party it names),
  // so the code does not grow with the number of deals and a default visits only the
  // entries that name its party — in the same order as a scan of them all, since the
  // others do nothing.
  void emit_on_default() {
    std::vector<int> all(p_.deals.size());
    for (size_t d = 0; d < all.size(); ++d) all[d] = int(d);
    Shapes shapes = find_shapes(p_, all, DealPart::OnDefault, site_ids());
    std::vector<llvm::Function*> fns;
    for (size_t k = 0; k < shapes.shapes.size(); ++k)
      fns.push_back(shape_fn(
          fmt::format("{}.{}.{}", names::on_default, p_.deals[size_t(shapes.shapes[k].deals.front())].contract, k),
          shapes.shapes[k], DealPart::OnDefault, true));
    // The entries by party: kind 0 = terminate (alive slot), 1 = the deal's clauses
    // (shape, row); first[party] .. first[party + 1] are the party's.
    const size_t parties = p_.parties.size();
    std::vector<std::vector<std::array<int32_t, 3>>> by_party(parties);
    size_t next = 0;  // into shapes.order, which lists the deals with clauses in order
    for (size_t d = 0; d < p_.deals.size(); ++d) {
      const check::HDeal& deal = p_.deals[d];
      std::vector<int> named;  // the parties this deal's clause entries name
      std::pair<int, int> call{-1, -1};
      for (const auto& od : deal.on_default) {
        if (od.clause >= 0) {
          if (call.first < 0) call = shapes.order.at(next++);
          if (std::find(named.begin(), named.end(), od.party) != named.end()) continue;
          named.push_back(od.party);
          by_party.at(size_t(od.party)).push_back({1, call.first, call.second});
          continue;
        }
        by_party.at(size_t(od.party)).push_back({0, 0, deal.base + check::kAlive});
      }
    }
    std::vector<int32_t> first{0}, kind, shape_of, slot_or_row;
    for (const auto& list : by_party) {
      for (const auto& e : list) {
        kind.push_back(e[0]);
        shape_of.push_back(e[1]);
        slot_or_row.push_back(e[2]);
      }
      first.push_back(int32_t(kind.size()));
    }
    begin_fn(names::on_default, i32_);
    llvm::Value* party = fn_->getArg(2);
    const int n = int(kind.size());
    if (n > 0) {
      auto* arr = llvm::ArrayType::get(i32_, uint64_t(n));
      auto* first_arr = llvm::ArrayType::get(i32_, uint64_t(first.size()));
      llvm::GlobalVariable* first_t = table("deal_on_default.first", first);
      llvm::GlobalVariable* kind_t = table("deal_on_default.kind", kind);
      llvm::GlobalVariable* a_t = table("deal_on_default.shape", shape_of);
      llvm::GlobalVariable* b_t = table("deal_on_default.b", slot_or_row);
      auto* lookup = llvm::BasicBlock::Create(ctx_, "party", fn_);
      auto* loop = llvm::BasicBlock::Create(ctx_, "entries", fn_);
      auto* term = llvm::BasicBlock::Create(ctx_, "terminate", fn_);
      auto* clauses = llvm::BasicBlock::Create(ctx_, "clauses", fn_);
      auto* next_bb = llvm::BasicBlock::Create(ctx_, "entries.next", fn_);
      auto* done = llvm::BasicBlock::Create(ctx_, "entries.done", fn_);
      // A party id outside the table has no entries (unsigned: negative ones too).
      b_.CreateCondBr(b_.CreateICmpULT(party, ci32(int(parties))), lookup, done);
      b_.SetInsertPoint(lookup);
      auto first_at = [&](llvm::Value* i) {
        return b_.CreateLoad(i32_, b_.CreateInBoundsGEP(first_arr, first_t, {ci32(0), i}));
      };
      llvm::Value* begin = first_at(party);
      llvm::Value* end = first_at(b_.CreateAdd(party, ci32(1)));
      b_.CreateCondBr(b_.CreateICmpSLT(begin, end), loop, done);
      b_.SetInsertPoint(loop);
      llvm::PHINode* i = b_.CreatePHI(i32_, 2, "i");
      i->addIncoming(begin, lookup);
      auto at = [&](llvm::GlobalVariable* t) {
        return b_.CreateLoad(i32_, b_.CreateInBoundsGEP(arr, t, {ci32(0), i}));
      };
      llvm::Value* k = at(kind_t);
      llvm::Value* a = at(a_t);
      llvm::Value* bb = at(b_t);
      b_.CreateCondBr(b_.CreateICmpEQ(k, ci32(0)), term, clauses);
      // A plain entry: the deal ends when the party it names defaults while it is alive.
      b_.SetInsertPoint(term);
      llvm::Value* slot = slot_ptr(bb);
      when_true(
          truth(b_.CreateLoad(dbl_, slot)), [&] { b_.CreateStore(cnum(0), slot); }, "end");
      b_.CreateBr(next_bb);
      // The deal's clauses (they test the party themselves).
      b_.SetInsertPoint(clauses);
      llvm::SwitchInst* sw = b_.CreateSwitch(a, next_bb, unsigned(fns.size()));
      for (size_t f = 0; f < fns.size(); ++f) {
        auto* call = llvm::BasicBlock::Create(ctx_, "shape", fn_);
        sw->addCase(llvm::ConstantInt::get(llvm::cast<llvm::IntegerType>(i32_), uint64_t(f)), call);
        b_.SetInsertPoint(call);
        b_.CreateCall(fns[f], {S_, C_, party, bb});
        b_.CreateBr(next_bb);
      }
      b_.SetInsertPoint(next_bb);
      llvm::Value* i1 = b_.CreateAdd(i, ci32(1));
      i->addIncoming(i1, next_bb);
      b_.CreateCondBr(b_.CreateICmpSLT(i1, end), loop, done);
      b_.SetInsertPoint(done);
    }
    end_fn();
  }

  // Each party's liquidation value into out[party]. Cold code: it runs only when a party
  // is resolved in default. Parties without a
  // `liquidation` member leave their entry as the caller set it ($0).
  void emit_liquidations() {
    cold(begin_fn(names::liquidations, ptr_));
    llvm::Value* out = fn_->getArg(2);
    for (size_t pi = 1; pi < p_.parties.size(); ++pi) {
      if (!p_.parties[pi].liquidation) continue;
      locals_.clear();
      // NaN, infinite or negative stops the run at its line, as a state's store does.
      const check::HExpr& e = *p_.parties[pi].liquidation;
      int site = store_site(p_.parties[pi].name + ".liquidation", e.span);
      checked_store(b_.CreateConstInBoundsGEP1_64(dbl_, out, pi), expr(e), ci32(site), true, rt::kNegativeLiquidation);
    }
    end_fn();
  }

  // Each party's valuation into out[party] (World's is 0), by party shape like the step.
  void emit_values() {
    Shapes shapes = find_party_shapes(p_, PartyPart::Values, site_ids());
    std::vector<llvm::Function*> fns;
    for (size_t k = 0; k < shapes.shapes.size(); ++k)
      fns.push_back(party_shape_fn(
          fmt::format("{}.{}.{}", names::values, p_.parties[size_t(shapes.shapes[k].deals.front())].name, k),
          shapes.shapes[k], PartyPart::Values));
    begin_fn(names::values, ptr_);
    llvm::Value* out = fn_->getArg(2);
    if (!p_.parties.empty()) b_.CreateStore(cnum(0), out);
    dispatch(names::values, shapes, fns, out);
    end_fn();
  }

  void emit_track(int k) {
    begin_fn(names::track(k), ptr_);
    llvm::Value* out = fn_->getArg(2);
    const auto& tracks = p_.scenarios[size_t(k)].tracks;
    for (size_t i = 0; i < tracks.size(); ++i) {
      locals_.clear();
      b_.CreateStore(expr(tracks[i].expr), b_.CreateConstInBoundsGEP1_64(dbl_, out, i));
    }
    end_fn();
  }

  // S[slots[i]] = values[i] for every i, as a loop over two constant tables (data, not
  // code: initialisation that does not grow the function with the network).
  void store_table(const std::string& name, const std::vector<int32_t>& slots, const std::vector<double>& values) {
    if (slots.empty()) return;
    const int n = int(slots.size());
    llvm::GlobalVariable* slots_t = table(name + ".slots", slots);
    llvm::GlobalVariable* values_t = table(name + ".values", values);
    llvm::BasicBlock* before = b_.GetInsertBlock();
    auto* loop = llvm::BasicBlock::Create(ctx_, "store", fn_);
    auto* done = llvm::BasicBlock::Create(ctx_, "store.done", fn_);
    b_.CreateBr(loop);
    b_.SetInsertPoint(loop);
    llvm::PHINode* i = b_.CreatePHI(i32_, 2, "i");
    i->addIncoming(ci32(0), before);
    llvm::Value* slot =
        b_.CreateLoad(i32_, b_.CreateInBoundsGEP(llvm::ArrayType::get(i32_, uint64_t(n)), slots_t, {ci32(0), i}));
    llvm::Value* v =
        b_.CreateLoad(dbl_, b_.CreateInBoundsGEP(llvm::ArrayType::get(dbl_, uint64_t(n)), values_t, {ci32(0), i}));
    b_.CreateStore(v, slot_ptr(slot));
    llvm::Value* i1 = b_.CreateAdd(i, ci32(1));
    i->addIncoming(i1, loop);
    b_.CreateCondBr(b_.CreateICmpSLT(i1, ci32(n)), loop, done);
    b_.SetInsertPoint(done);
  }

  // Path start for scenario k: params in dependency order (host override, else the
  // scenario's override or draw, else the initializer; then the applied shocks'
  // top-level `set`s of that param, in apply order), then which deals exist, then every
  // state — the states' part is the same for every scenario, so it is one shared function.
  void emit_init(int k) {
    const check::HScenario& sc = p_.scenarios[size_t(k)];
    llvm::Function* states = init_states_fn();
    cold(begin_fn(names::init(k)));
    // Host overrides: the context's array, or (none given) a constant array of NaNs, so
    // each param needs one load and a select rather than branches.
    llvm::Value* given = ctx_field(kOverrides);
    llvm::Value* none_given =
        b_.CreateICmpEQ(given, llvm::ConstantPointerNull::get(llvm::PointerType::getUnqual(ctx_)));
    llvm::Value* overrides = b_.CreateSelect(none_given, no_overrides(), given);
    // Most params are finite constants that no applied shock sets: each run of them (in
    // init order, so nothing reads a param earlier than before) is one table loop rather
    // than a store, a finiteness check and an override select each — with 130 params and
    // 20 scenarios those were three quarters of the AI web's unoptimised IR.
    ParamRun run;
    for (int pi : p_.param_init_order) {
      const check::HParam& param = p_.params[size_t(pi)];
      const check::HScenario::Override* ov = nullptr;
      for (const auto& o : sc.overrides)
        if (o.param == pi) ov = &o;
      bool set_by_shock = false;
      for (int s : sc.shocks)
        for (const HStmt& set : p_.shocks[size_t(s)].sets) set_by_shock |= set.index == param.slot;
      const HExpr* value = !ov ? &param.init : ov->value ? &*ov->value : nullptr;
      if (value && value->is_const() && std::isfinite(value->num) && !set_by_shock) {
        run.slots.push_back(param.slot);
        run.params.push_back(pi);
        run.values.push_back(value->num);
        continue;
      }
      flush_params(run, names::init(k), overrides);
      int site = store_site(p_.slot_names[size_t(param.slot)], param.span);
      checked_store(param.slot, value ? expr(*value) : draw(*ov->dist), site);
      for (int s : sc.shocks)
        for (const HStmt& set : p_.shocks[size_t(s)].sets)
          if (set.index == param.slot) stmt(set);
      // The host's override (not NaN) wins over everything.
      llvm::Value* hv = b_.CreateLoad(dbl_, b_.CreateConstInBoundsGEP1_64(dbl_, overrides, uint64_t(pi)));
      llvm::Value* current = load_slot(param.slot);
      store_slot(param.slot, b_.CreateSelect(b_.CreateFCmpORD(hv, hv), hv, current));
    }
    flush_params(run, names::init(k), overrides);
    // A deal declared in a shock exists only where the shock is applied. Set before the
    // states, whose initializers may read `d.alive`.
    std::vector<int32_t> alive_slots;
    std::vector<double> alive;
    for (const auto& deal : p_.deals) {
      bool exists = deal.shock < 0 || std::find(sc.shocks.begin(), sc.shocks.end(), deal.shock) != sc.shocks.end();
      alive_slots.push_back(deal.base + check::kAlive);
      alive.push_back(exists ? 1 : 0);
    }
    store_table(names::init(k) + ".alive", alive_slots, alive);
    b_.CreateCall(states, {S_, C_});
    end_fn();
  }

  // Constant params waiting to be stored, in init order.
  struct ParamRun {
    std::vector<int32_t> slots, params;
    std::vector<double> values;
    int count = 0;  // runs stored so far in this function (names their tables)
  };

  // Stores the run: S[slot] = the host's override of the param when it gives one (not
  // NaN), else the constant — what the per-param code does, for a constant.
  void flush_params(ParamRun& run, const std::string& fn_name, llvm::Value* overrides) {
    if (run.slots.empty()) return;
    const int n = int(run.slots.size());
    const std::string name = fmt::format("{}.params.{}", fn_name, run.count++);
    llvm::GlobalVariable* slots_t = table(name + ".slots", run.slots);
    llvm::GlobalVariable* params_t = table(name + ".params", run.params);
    llvm::GlobalVariable* values_t = table(name + ".values", run.values);
    llvm::BasicBlock* before = b_.GetInsertBlock();
    auto* loop = llvm::BasicBlock::Create(ctx_, "params", fn_);
    auto* done = llvm::BasicBlock::Create(ctx_, "params.done", fn_);
    b_.CreateBr(loop);
    b_.SetInsertPoint(loop);
    llvm::PHINode* i = b_.CreatePHI(i32_, 2, "i");
    i->addIncoming(ci32(0), before);
    auto at = [&](llvm::GlobalVariable* t, llvm::Type* elem) {
      return b_.CreateLoad(elem, b_.CreateInBoundsGEP(llvm::ArrayType::get(elem, uint64_t(n)), t, {ci32(0), i}));
    };
    llvm::Value* slot = at(slots_t, i32_);
    llvm::Value* param = at(params_t, i32_);
    llvm::Value* v = at(values_t, dbl_);
    llvm::Value* hv = b_.CreateLoad(dbl_, b_.CreateInBoundsGEP(dbl_, overrides, param));
    b_.CreateStore(b_.CreateSelect(b_.CreateFCmpORD(hv, hv), hv, v), slot_ptr(slot));
    llvm::Value* i1 = b_.CreateAdd(i, ci32(1));
    i->addIncoming(i1, loop);
    b_.CreateCondBr(b_.CreateICmpSLT(i1, ci32(n)), loop, done);
    b_.SetInsertPoint(done);
    run.slots.clear();
    run.params.clear();
    run.values.clear();
  }

  // A constant array of NaNs, one per param: "no host override".
  llvm::Value* no_overrides() {
    if (!no_overrides_) {
      auto* t = llvm::ArrayType::get(dbl_, std::max<size_t>(1, p_.params.size()));
      std::vector<llvm::Constant*> nans(t->getNumElements(),
                                        llvm::ConstantFP::get(dbl_, std::numeric_limits<double>::quiet_NaN()));
      no_overrides_ = new llvm::GlobalVariable(*m_, t, true, llvm::GlobalValue::InternalLinkage,
                                               llvm::ConstantArray::get(t, nans), "no_overrides");
    }
    return no_overrides_;
  }

  // Every state's initial value, in slot order (the checker guarantees initializers read
  // only earlier slots), and the deals' and triggers' bookkeeping.
  llvm::Function* init_states_fn() {
    if (init_states_) return init_states_;
    std::vector<std::pair<int, const check::HState*>> states;
    for (const auto& party : p_.parties)
      for (const auto& st : party.states) states.emplace_back(st.slot, &st);
    for (const auto& deal : p_.deals)
      for (const auto& st : deal.states) states.emplace_back(st.slot, &st);
    std::sort(states.begin(), states.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    // Finite constant initial values (most of them: a deal's bound arguments are
    // constants) and the deals' and triggers' bookkeeping are a table of (slot, value),
    // stored first: they read nothing, so the order against the computed ones is free.
    std::vector<int32_t> const_slots;
    std::vector<double> const_values;
    auto constant = [&](int slot, double v) {
      const_slots.push_back(slot);
      const_values.push_back(v);
    };
    std::vector<std::pair<int, const check::HState*>> computed;
    for (auto [slot, st] : states) {
      double v = st->init ? st->init->num : 0.0;
      // A negative constant cash, debt or credit is left to the checked stores below.
      if ((!st->init || st->init->is_const()) && std::isfinite(v) && !(v < 0 && is_party_money(slot)))
        constant(slot, v);
      else computed.emplace_back(slot, st);
    }
    for (const auto& deal : p_.deals) {
      constant(deal.base + check::kPaid, 0);
      constant(deal.base + check::kDue, 0);
      for (const auto& c : deal.clauses)
        if (c.fired_slot >= 0) constant(c.fired_slot, 0);
    }
    for (const auto& shock : p_.shocks)
      for (const auto& c : shock.clauses)
        if (c.fired_slot >= 0) constant(c.fired_slot, 0);
    // The rest in chunks of functions, in slot order (the checker guarantees initializers
    // read only earlier slots): LLVM's instruction scheduling is quadratic in the length
    // of straight-line code.
    constexpr size_t kChunk = 48;
    std::vector<llvm::Function*> chunks;
    for (size_t first = 0; first < computed.size(); first += kChunk) {
      chunks.push_back(cold(begin_fn(fmt::format("deal_init_states.{}", chunks.size()), nullptr, true)));
      for (size_t k = first; k < std::min(computed.size(), first + kChunk); ++k) {
        auto [slot, st] = computed[k];
        locals_.clear();
        checked_store(slot, expr(*st->init), store_site(p_.slot_names[size_t(slot)], st->span));
      }
      end_fn();
    }
    // Shared by every scenario's init.
    init_states_ = cold(begin_fn("deal_init_states", nullptr, true));
    store_table("deal_init_states", const_slots, const_values);
    for (llvm::Function* f : chunks) b_.CreateCall(f, {S_, C_});
    end_fn();
    return init_states_;
  }

  llvm::Value* draw(const check::HDistribution& d) {
    static const std::map<std::string, int> kinds = {{"normal", rt::kNormal},       {"lognormal", rt::kLognormal},
                                                     {"uniform", rt::kUniform},     {"triangular", rt::kTriangular},
                                                     {"bernoulli", rt::kBernoulli}, {"choice", rt::kChoice}};
    std::vector<llvm::Value*> args;
    for (const HExpr& a : d.args) args.push_back(expr(a));
    if (d.name == "lognormal" && args.size() == 2) args.push_back(cnum(1));
    llvm::Value* buf = entry_alloca(dbl_, "dist.args", ci32(int(std::max<size_t>(1, args.size()))));
    for (size_t i = 0; i < args.size(); ++i) b_.CreateStore(args[i], b_.CreateConstInBoundsGEP1_64(dbl_, buf, i));
    return call_rt("deal_rt_draw", {ci32(kinds.at(d.name)), buf, ci32(int(args.size()))});
  }

  const check::Program& p_;
  Generated& out_;
  llvm::LLVMContext& ctx_;
  llvm::IRBuilder<> b_;
  llvm::Module* m_ = nullptr;
  llvm::Type *dbl_, *i32_, *i1_, *ptr_, *void_;
  llvm::StructType* step_ctx_;
  llvm::StructType* obligation_;
  llvm::Type* i64_ = nullptr;
  llvm::Function* pay_fn_ = nullptr;
  llvm::GlobalVariable *party_base_ = nullptr, *deal_base_ = nullptr;
  std::map<std::string, llvm::Function*> rt_;
  std::map<int, llvm::Function*> user_fns_;
  std::map<std::tuple<uint32_t, uint32_t, uint32_t, uint32_t, uint32_t>, int> call_sites_;  // span → site
  int site_base_ = 0;
  mutable std::vector<uint8_t> money_slots_;
  llvm::Function* init_states_ = nullptr;
  llvm::GlobalVariable* no_overrides_ = nullptr;

  // The shape being emitted (deals as data), the member's rows, the `on default` entry.
  const Shape* shape_ = nullptr;
  llvm::Value *numbers_row_ = nullptr, *ints_row_ = nullptr;
  const void* scope_ = nullptr;

  // The function being emitted.
  llvm::Function* fn_ = nullptr;
  llvm::Value *S_ = nullptr, *C_ = nullptr;
  llvm::BasicBlock* entry_ = nullptr;
  llvm::Value* span_ = nullptr;
  std::vector<llvm::Value*> fn_args_;
  std::vector<llvm::AllocaInst*> locals_;
};

}  // namespace

Generated generate(const check::Program& program) {
  Generated g;
  g.context = std::make_unique<llvm::LLVMContext>();
  g.module = std::make_unique<llvm::Module>("deal_program", *g.context);
  Emitter e(program, g);
  e.run();
  return g;
}

Generated generate_tracks(const check::Program& program, const std::vector<check::HExpr>& exprs, int site_base) {
  Generated g;
  g.context = std::make_unique<llvm::LLVMContext>();
  g.module = std::make_unique<llvm::Module>("deal_tracks", *g.context);
  Emitter e(program, g, site_base);
  e.run_tracks(exprs);
  return g;
}

}  // namespace deal::codegen
