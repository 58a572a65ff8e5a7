// The `.deal` grammar (LANGUAGE.md §2–§5). Combined lexer + parser.
//
// Shape decisions (see docs/language.md §14 for the user-facing list):
// - Expressions use one rule per precedence level instead of ANTLR's left-recursive
//   form: operator chains come out as flat lists (the AST builder folds them without
//   recursion), comparisons can be recognised as chained and rejected with a clear
//   message, and every decision is LL(1)/LL(2), which keeps SLL prediction linear.
// - The rules that nest without bound (paren, negation, notOp, exponent, ifExpr,
//   callArgs, block, ifStmt) are separate rules because the builder's parser subclass
//   counts exactly those invocations to enforce the nesting limit before the C++
//   stack is at risk.
// - The builder splits a file at declaration keywords and parses each piece with
//   `chunk`; `exprInput` is the entry point for a lone expression (`--set`, REPL).
// - No actions or predicates: the grammar stays target-neutral.
grammar Deal;

// ---------------------------------------------------------------- entry points

chunk     : SEMI* (declaration SEMI*)? EOF ;
exprInput : expr EOF ;

// ---------------------------------------------------------------- declarations

declaration
  : importDecl
  | calendarDecl
  | unitDecl
  | paramDecl
  | partyDecl
  | contractDecl
  | dealDecl
  | fnDecl
  | externFnDecl
  | shockDecl
  | scenarioDecl
  ;

importDecl   : IMPORT STRING ;
calendarDecl : CALENDAR expr DOTDOT expr STEP name ;
unitDecl     : UNIT name ;
paramDecl    : PARAM name (COLON typeRef)? ASSIGN expr ;
partyDecl    : PARTY name (IS name)? LBRACE (member | SEMI)* RBRACE ;
contractDecl : CONTRACT name LPAREN paramList? RPAREN LBRACE (member | SEMI)* RBRACE ;
dealDecl     : DEAL name ASSIGN name callArgs ;
fnDecl       : FN name LPAREN paramList? RPAREN (COLON typeRef)? ASSIGN expr ;
externFnDecl : EXTERN FN name LPAREN paramList? RPAREN COLON typeRef ;
shockDecl    : SHOCK name LBRACE (shockItem | SEMI)* RBRACE ;
scenarioDecl : SCENARIO name (EXTENDS name)? LBRACE (scenarioItem | SEMI)* RBRACE ;

paramList : param (COMMA param)* COMMA? ;
param     : name COLON typeRef (ASSIGN expr)? ;

// Members of parties and contracts. `value` is a keyword, so it has its own form.
member
  : LET name (COLON typeRef)? ASSIGN expr   # letMember
  | VALUE ASSIGN expr                       # valueMember
  | name (COLON typeRef)? ASSIGN expr       # fieldMember
  | clause                                  # clauseMember
  ;

clause
  : AT expr block                                           # atClause
  | EVERY period (FROM expr)? (FOR expr | UNTIL expr)? block  # everyClause
  | WHEN expr block                                         # whenClause
  | WHENEVER expr block                                     # wheneverClause
  | ON DEFAULT LPAREN name RPAREN block                     # onDefaultClause
  ;

// `step` is a keyword; month / quarter / year are plain names checked by the builder.
period : STEP | name ;

shockItem
  : SET name assignOp expr   # shockSet
  | clause                   # shockClause
  | dealDecl                 # shockDeal
  ;

scenarioItem
  : APPLY name (COMMA name)*                          # applyItem
  | PARAM name (ASSIGN expr | TILDE name callArgs)    # paramItem
  | HORIZON expr                                      # horizonItem
  | PATHS expr                                        # pathsItem
  | SEED expr                                         # seedItem
  | CLEARING LBRACE (setting | SEMI | COMMA)* RBRACE  # clearingItem
  | TRACK trackItem (COMMA trackItem)*                # trackList
  ;
setting   : name ASSIGN expr ;
trackItem : expr (AS STRING)? ;

// ---------------------------------------------------------------- statements

block : LBRACE (statement | SEMI)* RBRACE ;

statement
  : LET name ASSIGN expr                  # letStmt
  | SET name assignOp expr                # setStmt
  | ifStmt                                # ifStatement
  | DEFAULT LPAREN expr RPAREN            # defaultStmt
  | TERMINATE (LPAREN expr RPAREN)?       # terminateStmt
  | name STRING                           # emitStmt      // `emit "…"`: emit is not reserved
  | target assignOp expr                  # assignStmt
  | name callArgs                         # callStmt
  ;

ifStmt   : IF expr block (ELSE (ifStmt | block))? ;
target   : (name | SELF) (DOT fieldName)* ;
assignOp : ASSIGN | PLUS_ASSIGN | MINUS_ASSIGN | STAR_ASSIGN | SLASH_ASSIGN ;

// ---------------------------------------------------------------- expressions
// Lowest to highest: if-then-else, or, and, not, comparisons (non-associative),
// + -, * /, unary - +, ^ (right-associative, binds tighter than unary minus),
// postfix .field, primaries.

expr    : orExpr ;
orExpr  : andExpr (OR andExpr)* ;
andExpr : notExpr (AND notExpr)* ;
notExpr : notOp | cmpExpr ;
notOp   : NOT notExpr ;
cmpExpr : addExpr (cmpOp addExpr)* ;   // more than one operator is rejected by the builder
cmpOp   : LT | LE | GT | GE | EQ | NE ;
addExpr : mulExpr (addOp mulExpr)* ;
addOp   : PLUS | MINUS ;
mulExpr : unaryExpr (mulOp unaryExpr)* ;
mulOp   : STAR | SLASH ;
unaryExpr : negation | powExpr ;
negation  : (MINUS | PLUS) unaryExpr ;
powExpr   : postfixExpr (CARET exponent)? ;
exponent  : unaryExpr ;              // so 2^-1 and 2^3^2 = 2^(3^2) parse
postfixExpr : primary (DOT fieldName)* ;

primary
  : NUMBER      # numberLit
  | DATE        # dateLit
  | STRING      # stringLit
  | TRUE        # trueLit
  | FALSE       # falseLit
  | SELF        # selfRef
  | WORLD       # worldRef
  | nameOrCall  # nameRef
  | paren       # parenExpr
  | ifExpr      # ifExpression
  ;

nameOrCall : name callArgs? ;
callArgs   : LPAREN (arg (COMMA arg)* COMMA?)? RPAREN ;
arg        : (name COLON)? expr ;
paren      : LPAREN expr RPAREN ;
ifExpr     : IF expr THEN expr ELSE expr ;

// A party's valuation can be read as `P.value`, so the keyword is allowed after a dot.
// The scenario items' keywords are reserved only where a scenario item may start: as a
// name (a contract called `seed`, a deal called `track`) they are plain identifiers. No
// rule that accepts a name can start a scenario item, so this is unambiguous.
// (One set of tokens, not a sub-rule: the parser's single-token repair of a missing name
// then still works, and the error messages with it.)
fieldName : ID | VALUE | APPLY | HORIZON | PATHS | SEED | TRACK | CLEARING ;
name      : ID | APPLY | HORIZON | PATHS | SEED | TRACK | CLEARING ;

// Type annotations: Money, Quantity[GW], Money/Duration, Price[GW]/Duration.
typeRef    : typeFactor ((STAR | SLASH) typeFactor)* ;
typeFactor : name (LBRACK name RBRACK)? ;

// ---------------------------------------------------------------- lexer

// Keywords (LANGUAGE.md §2, plus `extern`). Listed before ID so they win ties.
CALENDAR  : 'calendar' ;
STEP      : 'step' ;
UNIT      : 'unit' ;
PARAM     : 'param' ;
PARTY     : 'party' ;
CONTRACT  : 'contract' ;
DEAL      : 'deal' ;
SHOCK     : 'shock' ;
SCENARIO  : 'scenario' ;
EXTENDS   : 'extends' ;
APPLY     : 'apply' ;
FN        : 'fn' ;
EXTERN    : 'extern' ;
LET       : 'let' ;
IF        : 'if' ;
THEN      : 'then' ;
ELSE      : 'else' ;
EVERY     : 'every' ;
AT        : 'at' ;
FROM      : 'from' ;
FOR       : 'for' ;
UNTIL     : 'until' ;
WHEN      : 'when' ;
WHENEVER  : 'whenever' ;
ON        : 'on' ;
DEFAULT   : 'default' ;
TERMINATE : 'terminate' ;
SET       : 'set' ;
TRACK     : 'track' ;
PATHS     : 'paths' ;
SEED      : 'seed' ;
HORIZON   : 'horizon' ;
IMPORT    : 'import' ;
VALUE     : 'value' ;
SELF      : 'self' ;
AND       : 'and' ;
OR        : 'or' ;
NOT       : 'not' ;
TRUE      : 'true' ;
FALSE     : 'false' ;
WORLD     : 'World' ;
IS        : 'is' ;
AS        : 'as' ;
CLEARING  : 'clearing' ;

// Dates before NUMBER: `2027Q3` would also match NUMBER (digits + unit word `Q3`) with
// the same length, and the first rule wins a tie. `2027-03` is longer than the NUMBER
// `2027`, so longest match makes a date win over a subtraction. Values are checked
// (month 1–12 and so on) by the builder, which can say what is wrong.
DATE : DIGIT DIGIT DIGIT DIGIT ('Q' DIGIT | '-' DIGIT DIGIT ('-' DIGIT DIGIT)?) ;

// One token for the whole literal, `$12B/y/GW` included: the letters must touch the
// digits, so the lexer is the only place that can see the difference between `2GW`
// and `2 GW`. The word right after the digits is a scale if it is exactly k, M, B or
// T and a unit otherwise; the builder decodes it. `%` may follow the digits or a scale.
NUMBER : '$'? MANTISSA ([kMBT]? '%' | UNITWORD)? PERUNIT* ;

// Error tokens: matched so the builder can say what is wrong in plain words instead of
// the lexer skipping characters one at a time. The parser never sees them.
BAD_DOLLAR           : '$' ;
STRING               : '"' (~["\\\r\n] | '\\' ~[\r\n])* '"' ;
UNTERMINATED_STRING  : '"' (~["\\\r\n] | '\\' ~[\r\n])* '\\'? ;

ID : [A-Za-z_] [A-Za-z0-9_]* ;

DOTDOT       : '..' ;
DOT          : '.' ;
PLUS_ASSIGN  : '+=' ;
MINUS_ASSIGN : '-=' ;
STAR_ASSIGN  : '*=' ;
SLASH_ASSIGN : '/=' ;
EQ           : '==' ;
NE           : '!=' ;
LE           : '<=' ;
GE           : '>=' ;
LT           : '<' ;
GT           : '>' ;
ASSIGN       : '=' ;
PLUS         : '+' ;
MINUS        : '-' ;
STAR         : '*' ;
SLASH        : '/' ;
CARET        : '^' ;
LPAREN       : '(' ;
RPAREN       : ')' ;
LBRACE       : '{' ;
RBRACE       : '}' ;
LBRACK       : '[' ;
RBRACK       : ']' ;
COMMA        : ',' ;
SEMI         : ';' ;
COLON        : ':' ;
TILDE        : '~' ;

WS            : [ \t\r\n\f\u000B\uFEFF]+ -> skip ;
LINE_COMMENT  : '//' ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
// A `/*` with no `*/` before the end of the file. Matching it in one token keeps the
// lexer linear (otherwise every later `/*` would rescan to the end).
UNTERMINATED_COMMENT : '/*' (~'*' | '*'+ ~[*/])* '*'* EOF ;

// Anything else; the builder reports it (merging a run of them into one error).
ERROR_CHAR : . ;

fragment DIGIT    : [0-9] ;
fragment MANTISSA : DIGIT+ ('.' DIGIT+)? ([eE] [+-]? DIGIT+)? ;
fragment UNITWORD : [A-Za-z] [A-Za-z0-9_]* ;
fragment PERUNIT  : '/' UNITWORD ;
