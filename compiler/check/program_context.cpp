// Checking source text in the context of a checked program, outside its declarations:
// constants (`--set`, the REPL's `:set`, the API's `set`).
#include "compiler/check/checker.hpp"

#include "compiler/ast/parse.hpp"

namespace deal::check {

std::optional<std::pair<double, Type>> check_constant(const Program& program, const ast::Expr& e,
                                                      const SourceManager& sm, Diagnostics& diags) {
  static const std::vector<ast::Module> no_modules;
  Checker c(no_modules, sm, diags);
  c.prog_.units = program.units;
  for (size_t i = 0; i < program.units.size(); ++i) c.units_[program.units[i]] = int(i);
  Ctx ctx;
  ctx.where = Ctx::ParamInit;
  size_t before = diags.error_count();
  HExpr v = c.expr(e, ctx);
  if (diags.error_count() > before || v.type.is_error()) return std::nullopt;
  auto k = c.const_value(v);
  if (!k) {
    diags.error(e.span, "expected a constant such as 20%/y, $3B or 2027Q3");
    return std::nullopt;
  }
  return std::make_pair(*k, v.type);
}

std::optional<std::pair<double, Type>> parse_constant(const Program& program, const std::string& source_name,
                                                      const std::string& text, SourceManager& sm, Diagnostics& diags) {
  uint32_t id = sm.add(source_name, text);
  ast::ExprPtr e = ast::parse_expression(sm, id, diags);
  if (!e || diags.has_errors()) return std::nullopt;
  return check_constant(program, *e, sm, diags);
}

}  // namespace deal::check
