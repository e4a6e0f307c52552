# templatefile() of a policy template: literal parts are checked, interpolated parts are unknown.
resource "aws_iam_policy" "deploy" {
  name   = "deploy"
  policy = templatefile("${path.module}/deploy.json.tpl", { account_id = "123456789012" })
}
