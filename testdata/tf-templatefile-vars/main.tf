# A deployer policy rendered from a template: the variables passed to templatefile() are substituted,
# so a name prefix (`role/svc-*`) is seen as one, and a directive that picks the path is a stated gap.

variable "account_id" {
  type    = string
  default = "123456789012"
}

variable "environment" {
  type    = string
  default = "prod"
}

resource "aws_iam_policy" "deployer" {
  name = "deployer"
  policy = templatefile("${path.module}/policies/deployer.json.tpl", {
    account_id  = var.account_id
    role_prefix = "svc-"
  })
}

resource "aws_iam_policy" "release" {
  name = "release"
  policy = templatefile("${path.module}/policies/release.json.tpl", {
    account_id  = var.account_id
    environment = var.environment
  })
}
