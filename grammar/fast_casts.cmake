# Post-processes the generated parser (cmake -DFILE=DealParser.cpp -P fast_casts.cmake).
# ANTLR 4.9's C++ runtime finds the interpreter and a rule's parent context with a
# dynamic_cast at every prediction and every rule exit; across the shared runtime library
# each one compares type names, which was a tenth of the parse of a large program. The
# types are known (a parser's interpreter is a ParserATNSimulator; a rule context's
# parent is a rule context), so static casts do the same. exitRule() is not virtual, so
# its body (Parser::exitRule of runtime 4.9) is inlined at each call instead. The
# grammar is untouched; with another runtime the patterns are simply not found.
file(READ "${FILE}" text)
string(REPLACE "getInterpreter<atn::ParserATNSimulator>()" "static_cast<atn::ParserATNSimulator*>(_interpreter)"
       text "${text}")
string(REPLACE "exitRule();"
       "{ _ctx->stop = _matchedEOF ? _input->LT(1) : _input->LT(-1); if (!_parseListeners.empty()) triggerExitRuleEvent(); setState(_ctx->invokingState); _ctx = static_cast<antlr4::ParserRuleContext*>(_ctx->parent); }"
       text "${text}")
file(WRITE "${FILE}" "${text}")
