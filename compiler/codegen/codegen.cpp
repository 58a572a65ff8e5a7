// Lowers the checked program to LLVM IR (opaque pointers). Every value is a double:
// numbers, Bools (0/1), dates (month numbers), party and deal ids. States live in the
// path's flat array S at the slots the checker assigned; the step context C carries
// the step's dates and flags (runtime/abi.hpp).
#include "compiler/codegen/codegen.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include <fmt/format.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/raw_ostream.h>

#include "runtime/abi.hpp"

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
enum CtxField { kStepStart = 0, kStepEnd, kDt, kStepIndex, kPeriodFlags, kStatus, kPath, kOverrides };

class Emitter {
 public:
  Emitter(const check::Program& p, Generated& out) : p_(p), out_(out), ctx_(*out.context), b_(ctx_) {
    m_ = out.module.get();
    dbl_ = llvm::Type::getDoubleTy(ctx_);
    i32_ = llvm::Type::getInt32Ty(ctx_);
    i1_ = llvm::Type::getInt1Ty(ctx_);
    ptr_ = llvm::PointerType::getUnqual(ctx_);
    void_ = llvm::Type::getVoidTy(ctx_);
    step_ctx_ = llvm::StructType::create(ctx_, {dbl_, dbl_, dbl_, dbl_, i32_, i32_, ptr_, ptr_}, "StepCtx");
    declare_runtime();
    build_base_tables();
  }

  void run() {
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
    // User functions that were never called still get bodies (so --emit ir shows them).
    for (size_t f = 0; f < p_.fns.size(); ++f) user_fn(int(f));
  }

 private:
  // ---------------------------------------------------------------- set-up

  void declare_runtime() {
    auto type_of = [&](char c) -> llvm::Type* {
      switch (c) {
        case 'v': return void_;
        case 'd': return dbl_;
        case 'i': return i32_;
        default: return ptr_;
      }
    };
#define DEAL_DECLARE(name, sig)                                                        \
  {                                                                                    \
    std::string s = sig;                                                               \
    std::vector<llvm::Type*> params;                                                   \
    for (size_t i = 1; i < s.size(); ++i) params.push_back(type_of(s[i]));             \
    auto* ft = llvm::FunctionType::get(type_of(s[0]), params, false);                  \
    auto* f = llvm::Function::Create(ft, llvm::Function::ExternalLinkage, #name, m_);  \
    f->addFnAttr(llvm::Attribute::NoUnwind);                                           \
    rt_[#name] = f;                                                                    \
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

  // ---------------------------------------------------------------- helpers

  llvm::Value* cnum(double v) { return llvm::ConstantFP::get(dbl_, v); }
  llvm::Value* ci32(int v) { return llvm::ConstantInt::get(i32_, v, true); }

  llvm::Value* slot_ptr(int slot) { return b_.CreateConstInBoundsGEP1_64(dbl_, S_, uint64_t(slot)); }
  llvm::Value* load_slot(int slot) { return b_.CreateLoad(dbl_, slot_ptr(slot)); }
  void store_slot(int slot, llvm::Value* v) { b_.CreateStore(v, slot_ptr(slot)); }

  // The slot `offset` of the party or deal whose id is the double `id`.
  llvm::Value* dynamic_slot_ptr(llvm::GlobalVariable* table, size_t n, llvm::Value* id, int offset) {
    llvm::Value* idx = b_.CreateFPToSI(id, i32_);
    llvm::Value* base_ptr = b_.CreateInBoundsGEP(llvm::ArrayType::get(i32_, n), table, {ci32(0), idx});
    llvm::Value* base = b_.CreateLoad(i32_, base_ptr);
    llvm::Value* slot = b_.CreateAdd(base, ci32(offset));
    return b_.CreateInBoundsGEP(dbl_, S_, slot);
  }
  llvm::Value* party_slot(const HExpr& party, int offset) {
    if (party.is_const()) return load_slot(p_.parties[size_t(party.num)].base + offset);
    return b_.CreateLoad(dbl_, dynamic_slot_ptr(party_base_, p_.parties.size(), expr(party), offset));
  }
  llvm::Value* deal_slot(const HExpr& deal, int offset) {
    if (deal.is_const()) return load_slot(p_.deals[size_t(deal.num)].base + offset);
    size_t n = std::max<size_t>(1, p_.deals.size());
    return b_.CreateLoad(dbl_, dynamic_slot_ptr(deal_base_, n, expr(deal), offset));
  }

  llvm::Value* ctx_field(CtxField f) {
    llvm::Type* t = f == kPeriodFlags || f == kStatus ? i32_ : f >= kPath ? ptr_ : dbl_;
    return b_.CreateLoad(t, b_.CreateStructGEP(step_ctx_, C_, unsigned(f)));
  }

  llvm::Value* truth(llvm::Value* d) { return b_.CreateFCmpONE(d, cnum(0)); }
  llvm::Value* from_bool(llvm::Value* i1) { return b_.CreateUIToFP(i1, dbl_); }
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
      case Op::Const: return cnum(e.num);
      case Op::Slot: return load_slot(e.index);
      case Op::Local: return b_.CreateLoad(dbl_, locals_.at(size_t(e.index)));
      case Op::Arg: return fn_args_.at(size_t(e.index));
      case Op::Dt: return ctx_field(kDt);
      case Op::Now: return ctx_field(kStepStart);
      case Op::Span: return span_ ? span_ : ctx_field(kDt);
      case Op::StepIndex: return ctx_field(kStepIndex);
      case Op::Neg: return b_.CreateFNeg(expr(e.args[0]));
      case Op::Not: return from_bool(b_.CreateFCmpOEQ(expr(e.args[0]), cnum(0)));
      case Op::Add: return b_.CreateFAdd(expr(e.args[0]), expr(e.args[1]));
      case Op::Sub: return b_.CreateFSub(expr(e.args[0]), expr(e.args[1]));
      case Op::Mul: return b_.CreateFMul(expr(e.args[0]), expr(e.args[1]));
      case Op::Div: return b_.CreateFDiv(expr(e.args[0]), expr(e.args[1]));
      case Op::Pow: return pow(e);
      case Op::Lt: return compare(llvm::CmpInst::FCMP_OLT, e);
      case Op::Le: return compare(llvm::CmpInst::FCMP_OLE, e);
      case Op::Gt: return compare(llvm::CmpInst::FCMP_OGT, e);
      case Op::Ge: return compare(llvm::CmpInst::FCMP_OGE, e);
      case Op::Eq: return compare(llvm::CmpInst::FCMP_OEQ, e);
      case Op::Ne: return compare(llvm::CmpInst::FCMP_UNE, e);
      case Op::And: return short_circuit(e, true);
      case Op::Or: return short_circuit(e, false);
      case Op::If: return if_expr(e);
      case Op::Call: return builtin(e);
      case Op::CallFn: return call_fn(e);
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
    if (e.args[1].is_const()) {
      double n = e.args[1].num;
      if (n == std::floor(n) && std::fabs(n) <= 4 && n != 0) {
        llvm::Value* r = base;
        for (int i = 1; i < int(std::fabs(n)); ++i) r = b_.CreateFMul(r, base);
        return n < 0 ? b_.CreateFDiv(cnum(1), r) : r;
      }
    }
    return b_.CreateBinaryIntrinsic(llvm::Intrinsic::pow, base, expr(e.args[1]));
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
      case Builtin::Abs: return unary(llvm::Intrinsic::fabs);
      case Builtin::Floor: return unary(llvm::Intrinsic::floor);
      case Builtin::Ceil: return unary(llvm::Intrinsic::ceil);
      case Builtin::Round: return unary(llvm::Intrinsic::round);
      case Builtin::Exp: return unary(llvm::Intrinsic::exp);
      case Builtin::Log: return unary(llvm::Intrinsic::log);
      case Builtin::Sqrt: return unary(llvm::Intrinsic::sqrt);
      case Builtin::Clamp: {
        llvm::Value* x = arg(0);
        llvm::Value* lo = arg(1);
        llvm::Value* hi = arg(2);
        return min2(max2(x, lo), hi);
      }
      case Builtin::Years: return arg(0);
      case Builtin::DateOf: return call_rt("deal_rt_date_of", {arg(0)});
      case Builtin::Annuity: {
        // Present value of n payments of 1 at rate r per period: (1 − (1+r)^−n)/r; n when r = 0.
        llvm::Value* r = arg(0);
        llvm::Value* n = arg(1);
        llvm::Value* v = b_.CreateBinaryIntrinsic(llvm::Intrinsic::pow, b_.CreateFAdd(cnum(1), r), b_.CreateFNeg(n));
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
        llvm::Value* v = b_.CreateBinaryIntrinsic(llvm::Intrinsic::pow, g, b_.CreateFNeg(t));
        llvm::Value* pv = b_.CreateFDiv(b_.CreateFMul(f, b_.CreateFSub(cnum(1), v)), b_.CreateUnaryIntrinsic(llvm::Intrinsic::log, g));
        return b_.CreateSelect(b_.CreateFCmpOEQ(r, cnum(0)), b_.CreateFMul(f, t), pv);
      }
      case Builtin::Discount: {
        llvm::Value* r = arg(0);
        llvm::Value* t = arg(1);
        return b_.CreateBinaryIntrinsic(llvm::Intrinsic::pow, b_.CreateFAdd(cnum(1), r), b_.CreateFNeg(t));
      }
      case Builtin::Paid: return deal_slot(e.args[0], check::kPaid);
      case Builtin::Due: return deal_slot(e.args[0], check::kDue);
      case Builtin::Inflow: return call_rt("deal_rt_inflow", {as_i32(arg(0))});
      case Builtin::Outflow: return call_rt("deal_rt_outflow", {as_i32(arg(0))});
      case Builtin::RevenueFrom: {
        llvm::Value* a = as_i32(arg(0));
        return call_rt("deal_rt_revenue_from", {a, as_i32(arg(1))});
      }
      case Builtin::Equity: return party_slot(e.args[0], check::kEquity);
      case Builtin::Defaulted: return party_slot(e.args[0], check::kDefaulted);
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
      case Builtin::Bernoulli: return call_rt("deal_rt_bernoulli", {arg(0)});
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
    auto saved = std::make_tuple(fn_, S_, C_, entry_, span_, fn_args_, locals_, b_.GetInsertBlock(), b_.GetInsertPoint());
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
      return call_rt("deal_rt_host", {ci32(e.index), buf, ci32(int(args.size()))});
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

  int store_site(const std::string& name, Span span) {
    out_.stores.push_back({name, span});
    return int(out_.stores.size() - 1);
  }

  // Stores v into a slot and reports a NaN or infinity with the state's name and line.
  void checked_store(int slot, llvm::Value* v, int site) {
    store_slot(slot, v);
    llvm::Value* finite = b_.CreateFCmpOLT(b_.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, v),
                                           cnum(std::numeric_limits<double>::infinity()));
    auto* bad_bb = llvm::BasicBlock::Create(ctx_, "nonfinite", fn_);
    auto* ok_bb = llvm::BasicBlock::Create(ctx_, "finite", fn_);
    b_.CreateCondBr(finite, ok_bb, bad_bb);
    b_.SetInsertPoint(bad_bb);
    call_rt("deal_rt_nonfinite", {ci32(site), v});
    b_.CreateBr(ok_bb);
    b_.SetInsertPoint(ok_bb);
  }

  void stmt(const HStmt& s) {
    switch (s.kind) {
      case SKind::Let: b_.CreateStore(expr(s.value), locals_.at(size_t(s.index))); break;
      case SKind::Store: checked_store(s.index, expr(s.value), store_site(s.name, s.span)); break;
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
        call_rt("deal_rt_pay", {from, to, amount, priority, ci32(s.deal)});
        break;
      }
      case SKind::Own:
      case SKind::Sell: {
        llvm::Value* holder = as_i32(expr(s.args[0]));
        llvm::Value* issuer = as_i32(expr(s.args[1]));
        llvm::Value* stake = expr(s.args[2]);
        call_rt(s.kind == SKind::Own ? "deal_rt_own" : "deal_rt_sell", {holder, issuer, stake});
        break;
      }
      case SKind::Borrow: {
        llvm::Value* party = as_i32(expr(s.args[0]));
        call_rt("deal_rt_borrow", {party, expr(s.args[1])});
        break;
      }
      case SKind::Default: call_rt("deal_rt_default", {as_i32(expr(s.args[0]))}); break;
      case SKind::Terminate:
        // The deal ends after this block: clauses check `alive` before they run.
        store_slot(p_.deals[size_t(s.index)].base + check::kAlive, cnum(0));
        break;
      case SKind::Emit: {
        EmitSite site{s.pieces, {}, s.span};
        for (const HExpr& a : s.args) site.types.push_back(a.type);
        out_.emits.push_back(site);
        int id = int(out_.emits.size() - 1);
        llvm::Value* buf = entry_alloca(dbl_, "emit.args", ci32(int(std::max<size_t>(1, s.args.size()))));
        for (size_t i = 0; i < s.args.size(); ++i)
          b_.CreateStore(expr(s.args[i]), b_.CreateConstInBoundsGEP1_64(dbl_, buf, i));
        call_rt("deal_rt_emit", {ci32(id), buf});
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
        llvm::Value* t = expr(*c.at);
        llvm::Value* in_step = b_.CreateAnd(b_.CreateFCmpOLE(ctx_field(kStepStart), t), b_.CreateFCmpOLT(t, ctx_field(kStepEnd)));
        when_true(in_step, [&] { body(c.body); }, "at");
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
          int flag = c.period == Period::Month ? rt::kStartsMonth
                   : c.period == Period::Quarter ? rt::kStartsQuarter
                   : c.period == Period::Year ? rt::kStartsYear : 0;
          if (!flag) run_body();
          else when_true(b_.CreateICmpNE(b_.CreateAnd(ctx_field(kPeriodFlags), ci32(flag)), ci32(0)), run_body, "every");
          break;
        }
        // The window [from, end) in month numbers; runs when it overlaps the step.
        double cal_start = check::date_to_months(p_.calendar.from);
        llvm::Value* from = c.from ? expr(*c.from) : cnum(cal_start);
        llvm::Value* end = cnum(std::numeric_limits<double>::infinity());
        if (c.length) end = b_.CreateFAdd(from, b_.CreateFMul(expr(*c.length), cnum(12)));
        else if (c.until) end = expr(*c.until);
        llvm::Value* lo = max2(from, ctx_field(kStepStart));
        llvm::Value* hi = min2(end, ctx_field(kStepEnd));
        llvm::Value* overlap = b_.CreateFSub(hi, lo);
        llvm::Value* run = b_.CreateFCmpOGT(overlap, cnum(1e-9));  // months; guards against rounding
        int flag = c.period == Period::Month ? rt::kStartsMonth
                 : c.period == Period::Quarter ? rt::kStartsQuarter
                 : c.period == Period::Year ? rt::kStartsYear : 0;
        if (flag) {
          llvm::Value* flags = ctx_field(kPeriodFlags);
          run = b_.CreateAnd(run, b_.CreateICmpNE(b_.CreateAnd(flags, ci32(flag)), ci32(0)));
        }
        when_true(run, [&] {
          // span: the overlap in years (the whole step when the window covers it).
          llvm::Value* saved = span_;
          span_ = b_.CreateFDiv(overlap, cnum(12));
          body(c.body);
          span_ = saved;
        }, "every");
        break;
      }
      case ClauseKind::Whenever:
        when_true(truth(expr(*c.cond)), [&] { body(c.body); }, "whenever");
        break;
      default: break;
    }
  }

  // A `when` clause: once, the first step its condition holds.
  void trigger_clause(const HClause& c) {
    begin_locals(c.locals);
    llvm::Value* not_fired = b_.CreateFCmpOEQ(load_slot(c.fired_slot), cnum(0));
    when_true(not_fired, [&] {
      when_true(truth(expr(*c.cond)), [&] {
        store_slot(c.fired_slot, cnum(1));
        body(c.body);
      }, "when");
    }, "unfired");
  }

  llvm::Value* alive(int d) { return truth(load_slot(p_.deals[size_t(d)].base + check::kAlive)); }

  // A phase over deals: one small internal function per deal (so LLVM's per-function
  // passes never see one huge function — compile time grows faster than function size),
  // called in order from the phase function.
  void emit_deals_step(const std::string& name, const std::vector<int>& deals, bool triggers) {
    std::vector<llvm::Function*> parts;
    for (int d : deals) {
      bool any = false;
      for (const HClause& c : p_.deals[size_t(d)].clauses) {
        bool is_trigger = c.kind == ClauseKind::When;
        any = any || (c.kind != ClauseKind::OnDefault && is_trigger == triggers);
      }
      if (!any) continue;
      llvm::Function* f = begin_fn(fmt::format("{}.{}", name, p_.deals[size_t(d)].name), nullptr, true);
      for (const HClause& c : p_.deals[size_t(d)].clauses) {
        bool is_trigger = c.kind == ClauseKind::When;
        if (c.kind == ClauseKind::OnDefault || is_trigger != triggers) continue;
        // Checked before every clause: an earlier clause may have terminated the deal.
        when_true(alive(d), [&] {
          if (triggers) trigger_clause(c);
          else scheduled_clause(c);
        }, "alive");
      }
      end_fn();
      parts.push_back(f);
    }
    begin_fn(name);
    for (llvm::Function* f : parts) b_.CreateCall(f, {S_, C_});
    end_fn();
  }

  // Each party's `every` blocks in a function of their own (see emit_deals_step).
  void emit_parties_step() {
    std::vector<llvm::Function*> parts;
    for (size_t pi = 1; pi < p_.parties.size(); ++pi) {
      const check::HParty& party = p_.parties[pi];
      if (party.clauses.empty()) continue;
      parts.push_back(begin_fn(std::string(names::parties_step) + "." + party.name, nullptr, true));
      for (const HClause& c : party.clauses) {
        llvm::Value* live = b_.CreateFCmpOEQ(load_slot(party.base + check::kDefaulted), cnum(0));
        when_true(live, [&] { scheduled_clause(c); }, "live");
      }
      end_fn();
    }
    begin_fn(names::parties_step);
    for (llvm::Function* f : parts) b_.CreateCall(f, {S_, C_});
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

  // Default handling: each deal's `on default` clauses in a function of their own (only
  // the terminate-only ones stay inline), called when the defaulted party is one it names.
  void emit_on_default() {
    std::vector<std::pair<int, llvm::Function*>> clause_fns;  // (deal, its clauses)
    for (size_t d = 0; d < p_.deals.size(); ++d) {
      const check::HDeal& deal = p_.deals[d];
      bool has_clause = false;
      for (const auto& od : deal.on_default) has_clause = has_clause || od.clause >= 0;
      if (!has_clause) continue;
      llvm::Function* f = cold(begin_fn(std::string(names::on_default) + "." + deal.name, i32_, true));  // rare
      llvm::Value* party = f->getArg(2);
      for (const auto& od : deal.on_default) {
        if (od.clause < 0) continue;
        llvm::Value* hit = b_.CreateAnd(b_.CreateICmpEQ(party, ci32(od.party)), alive(int(d)));
        when_true(hit, [&] {
          const HClause& c = deal.clauses[size_t(od.clause)];
          begin_locals(c.locals);
          body(c.body);
        }, "on_default");
      }
      end_fn();
      clause_fns.emplace_back(int(d), f);
    }
    begin_fn(names::on_default, i32_);
    llvm::Value* party = fn_->getArg(2);
    size_t next_fn = 0;
    for (size_t d = 0; d < p_.deals.size(); ++d) {
      const check::HDeal& deal = p_.deals[d];
      // In declaration order of the entries: clauses through the deal's function, plain
      // terminations inline.
      bool called = false;
      for (const auto& od : deal.on_default) {
        if (od.clause >= 0) {
          if (!called && next_fn < clause_fns.size() && clause_fns[next_fn].first == int(d)) {
            b_.CreateCall(clause_fns[next_fn].second, {S_, C_, party});
            called = true;
          }
          continue;
        }
        llvm::Value* hit = b_.CreateAnd(b_.CreateICmpEQ(party, ci32(od.party)), alive(int(d)));
        when_true(hit, [&] { store_slot(deal.base + check::kAlive, cnum(0)); }, "terminate");
      }
      if (called) ++next_fn;
    }
    end_fn();
  }

  void emit_values() {
    begin_fn(names::values, ptr_);
    llvm::Value* out = fn_->getArg(2);
    for (size_t pi = 0; pi < p_.parties.size(); ++pi) {
      locals_.clear();
      llvm::Value* v = pi == 0 ? cnum(0) : expr(p_.parties[pi].value);
      b_.CreateStore(v, b_.CreateConstInBoundsGEP1_64(dbl_, out, pi));
    }
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
    llvm::Value* none_given = b_.CreateICmpEQ(given, llvm::ConstantPointerNull::get(llvm::PointerType::getUnqual(ctx_)));
    llvm::Value* overrides = b_.CreateSelect(none_given, no_overrides(), given);
    for (int pi : p_.param_init_order) {
      const check::HParam& param = p_.params[size_t(pi)];
      int site = store_site(p_.slot_names[size_t(param.slot)], param.span);
      const check::HScenario::Override* ov = nullptr;
      for (const auto& o : sc.overrides)
        if (o.param == pi) ov = &o;
      llvm::Value* v;
      if (!ov) v = expr(param.init);
      else if (ov->value) v = expr(*ov->value);
      else v = draw(*ov->dist);
      checked_store(param.slot, v, site);
      for (int s : sc.shocks)
        for (const HStmt& set : p_.shocks[size_t(s)].sets)
          if (set.index == param.slot) stmt(set);
      // The host's override (not NaN) wins over everything.
      llvm::Value* hv = b_.CreateLoad(dbl_, b_.CreateConstInBoundsGEP1_64(dbl_, overrides, uint64_t(pi)));
      llvm::Value* current = load_slot(param.slot);
      store_slot(param.slot, b_.CreateSelect(b_.CreateFCmpORD(hv, hv), hv, current));
    }
    // A deal declared in a shock exists only where the shock is applied. Set before the
    // states, whose initializers may read `d.alive`.
    for (const auto& deal : p_.deals) {
      bool exists = deal.shock < 0 || std::find(sc.shocks.begin(), sc.shocks.end(), deal.shock) != sc.shocks.end();
      store_slot(deal.base + check::kAlive, cnum(exists ? 1 : 0));
    }
    b_.CreateCall(states, {S_, C_});
    end_fn();
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
    // In chunks of functions: LLVM's instruction scheduling is quadratic in the length of
    // straight-line code, and a large program has thousands of states.
    constexpr size_t kChunk = 48;
    std::vector<llvm::Function*> chunks;
    for (size_t first = 0; first < states.size(); first += kChunk) {
      chunks.push_back(cold(begin_fn(fmt::format("deal_init_states.{}", chunks.size()), nullptr, true)));
      for (size_t k = first; k < std::min(states.size(), first + kChunk); ++k) {
        auto [slot, st] = states[k];
        locals_.clear();
        llvm::Value* v = st->init ? expr(*st->init) : cnum(0);
        checked_store(slot, v, store_site(p_.slot_names[size_t(slot)], st->span));
      }
      end_fn();
    }
    init_states_ = begin_fn("deal_init_states", nullptr, true);  // shared by every scenario's init
    for (llvm::Function* f : chunks) b_.CreateCall(f, {S_, C_});
    for (const auto& deal : p_.deals) {
      store_slot(deal.base + check::kPaid, cnum(0));
      store_slot(deal.base + check::kDue, cnum(0));
      for (const auto& c : deal.clauses)
        if (c.fired_slot >= 0) store_slot(c.fired_slot, cnum(0));
    }
    for (const auto& shock : p_.shocks)
      for (const auto& c : shock.clauses)
        if (c.fired_slot >= 0) store_slot(c.fired_slot, cnum(0));
    end_fn();
    return init_states_;
  }

  llvm::Value* draw(const check::HDistribution& d) {
    static const std::map<std::string, int> kinds = {
        {"normal", rt::kNormal},       {"lognormal", rt::kLognormal}, {"uniform", rt::kUniform},
        {"triangular", rt::kTriangular}, {"bernoulli", rt::kBernoulli}, {"choice", rt::kChoice}};
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
  llvm::GlobalVariable *party_base_ = nullptr, *deal_base_ = nullptr;
  std::map<std::string, llvm::Function*> rt_;
  std::map<int, llvm::Function*> user_fns_;
  llvm::Function* init_states_ = nullptr;
  llvm::GlobalVariable* no_overrides_ = nullptr;

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

}  // namespace deal::codegen
