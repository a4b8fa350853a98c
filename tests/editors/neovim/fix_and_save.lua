-- Neovim's built-in LSP client (0.7 and later) against `anyio-lint server`: open a Python file,
-- wait for the diagnostics, apply one finding's quick fix, then every fix at once
-- (`source.fixAll.anyio-lint`), write the file, stop the server and quit. With
-- ANYIO_LINT_ON_SAVE, the file that names instead sets up fix-all on save (it is the
-- configuration docs/editors.md gives), and the file is written without a fix applied by hand.
--
-- Run headless by tests/editor_clients.rs:
--   nvim --headless --clean -u NONE -c 'luafile fix_and_save.lua'
-- with, in the environment,
--   ANYIO_LINT_BIN     the binary to run as `anyio-lint server`
--   ANYIO_LINT_FILE    the Python file to open (its directory is the workspace)
--   ANYIO_LINT_RESULT  where to write what the client saw, as JSON
--   ANYIO_LINT_ON_SAVE (optional) a Lua file setting up fix-all on save, run before writing
-- It exits with 0 when everything above happened, and with 1 (the reason on standard error)
-- otherwise.

local TIMEOUT = 30000

local function getenv(name)
  local value = os.getenv(name)
  if value == nil or value == '' then
    error(name .. ' is not set')
  end
  return value
end

-- Wait for `condition` to hold; fail with `what` when it does not in time.
local function wait_for(what, condition)
  if not vim.wait(TIMEOUT, condition, 10) then
    error('timed out waiting for ' .. what)
  end
end

local function request(bufnr, method, params)
  local responses, err = vim.lsp.buf_request_sync(bufnr, method, params, TIMEOUT)
  if responses == nil then
    error(method .. ': ' .. tostring(err))
  end
  for _, response in pairs(responses) do
    if response.error ~= nil then
      error(method .. ': ' .. vim.inspect(response.error))
    end
    return response.result
  end
  error(method .. ': no answer')
end

local function code_actions(bufnr, range, only)
  return request(bufnr, 'textDocument/codeAction', {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = range,
    context = { diagnostics = {}, only = only },
  }) or {}
end

-- The diagnostics the server sent last (as it sent them: Neovim 0.7 keeps their columns in
-- bytes), in the order of their positions.
local function by_position(diagnostics)
  local found = vim.deepcopy(diagnostics)
  table.sort(found, function(a, b)
    if a.range.start.line ~= b.range.start.line then
      return a.range.start.line < b.range.start.line
    end
    return a.range.start.character < b.range.start.character
  end)
  return found
end

-- The first finding's quick fix, then fix-all, applied as the editor applies them.
local function apply_fixes(bufnr, diagnostics, seen)
  -- The first finding's quick fix (its first action is the fix, the second its noqa).
  local first = diagnostics[1]
  local actions = code_actions(bufnr, first.range, { 'quickfix' })
  seen.quick_fix_titles = {}
  for _, action in ipairs(actions) do
    table.insert(seen.quick_fix_titles, action.title)
  end
  local fix = actions[1]
  if fix == nil or fix.edit == nil then
    error('no quick fix for ' .. vim.inspect(first))
  end
  vim.lsp.util.apply_workspace_edit(fix.edit, 'utf-16')
  seen.after_quick_fix = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, true), '\n')

  -- Every fix at once, as `--fix` applies them, on the text the quick fix left (the request
  -- sends the pending change first).
  local origin = { start = { line = 0, character = 0 }, ['end'] = { line = 0, character = 0 } }
  local fix_all = code_actions(bufnr, origin, { 'source.fixAll.anyio-lint' })
  if #fix_all ~= 1 then
    error('expected one fix-all action, got ' .. vim.inspect(fix_all))
  end
  seen.fix_all_title = fix_all[1].title
  vim.lsp.util.apply_workspace_edit(fix_all[1].edit, 'utf-16')
end

local function main()
  local binary = getenv('ANYIO_LINT_BIN')
  local file = getenv('ANYIO_LINT_FILE')
  local result_path = getenv('ANYIO_LINT_RESULT')
  local root = vim.fn.fnamemodify(file, ':h')
  local seen = {}

  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  vim.bo[bufnr].filetype = 'python'

  local published, diagnostics_of = {}, {}
  local client_id = vim.lsp.start_client({
    name = 'anyio-lint',
    cmd = { binary, 'server' },
    root_dir = root,
    handlers = {
      ['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
        published[result.uri] = result.version
        diagnostics_of[result.uri] = result.diagnostics
        return vim.lsp.diagnostic.on_publish_diagnostics(err, result, ctx, config)
      end,
      ['window/showMessage'] = function(_, message)
        seen.message = message.message
      end,
    },
    on_exit = function(code)
      seen.exit_code = code
    end,
  })
  if client_id == nil then
    error('the server could not be started')
  end
  local uri = vim.uri_from_bufnr(bufnr)
  -- Wait for the diagnostics of the buffer's current version.
  local function checked(what)
    wait_for(what, function()
      local version = vim.lsp.util.buf_versions[bufnr]
      return version ~= nil and published[uri] == version
    end)
  end
  vim.lsp.buf_attach_client(bufnr, client_id)

  -- The findings of the file as opened.
  checked('the diagnostics of the file as opened')
  local diagnostics = by_position(diagnostics_of[uri])
  if #vim.diagnostic.get(bufnr) ~= #diagnostics then
    error('Neovim shows ' .. #vim.diagnostic.get(bufnr) .. ' of ' .. #diagnostics .. ' diagnostics')
  end
  seen.codes = {}
  for _, diagnostic in ipairs(diagnostics) do
    table.insert(seen.codes, diagnostic.code)
  end

  local on_save = os.getenv('ANYIO_LINT_ON_SAVE')
  if on_save ~= nil and on_save ~= '' then
    dofile(on_save)
    vim.cmd('write')
    checked('the diagnostics of the text written')
  else
    apply_fixes(bufnr, diagnostics, seen)
    vim.cmd('write')
    checked('the diagnostics of the fixed text')
  end

  -- What is left once the server has checked the fixed text.
  seen.remaining = {}
  for _, diagnostic in ipairs(by_position(diagnostics_of[uri])) do
    table.insert(seen.remaining, diagnostic.code)
  end

  vim.lsp.stop_client(client_id)
  wait_for('the server to exit', function()
    return seen.exit_code ~= nil
  end)

  local out = assert(io.open(result_path, 'w'))
  out:write(vim.fn.json_encode(seen))
  out:close()
end


local ok, err = pcall(main)
if ok then
  vim.cmd('qall!')
else
  io.stderr:write('fix_and_save.lua: ' .. tostring(err) .. '\n')
  vim.cmd('cquit! 1')
end
