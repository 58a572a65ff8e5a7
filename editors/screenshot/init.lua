-- A minimal Neovim (0.7+) setup for `deal lsp`, used to take docs/img/editor-lsp.png.
-- DEAL is the deal executable (screenshot.sh sets it).
vim.o.termguicolors = true
vim.o.number = true
vim.o.signcolumn = "yes"
vim.o.swapfile = false
vim.o.hlsearch = false
vim.o.shortmess = vim.o.shortmess .. "I"
vim.cmd("syntax on")
vim.cmd("colorscheme default")
vim.cmd([[
  syntax keyword dealKeyword calendar step unit param party contract deal shock scenario extends apply fn let if then else every at from for until when whenever on default terminate set track paths seed horizon import value self and or not is as
  syntax match dealNumber /\$\?\<[0-9][0-9.]*[A-Za-z%]*\(\/[A-Za-z]\+\)*/
  syntax match dealComment /\/\/.*$/
  highlight link dealKeyword Keyword
  highlight link dealNumber Number
  highlight link dealComment Comment
]])
vim.diagnostic.config({ virtual_text = true, signs = true, underline = true })
local client = vim.lsp.start_client({ name = "deal", cmd = { os.getenv("DEAL") or "deal", "lsp" } })
vim.api.nvim_create_autocmd({ "BufEnter" }, {
  pattern = "*.deal",
  callback = function(args) vim.lsp.buf_attach_client(args.buf, client) end,
})
vim.keymap.set("n", "K", vim.lsp.buf.hover)
vim.cmd("highlight SignColumn guibg=NONE ctermbg=NONE")
vim.cmd("highlight NormalFloat guibg=#303030")
