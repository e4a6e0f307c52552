# A reusable Elastic Beanstalk module: every setting comes from a variable without a default, so
# which element (if any) names the service role or the instance profile is not known statically.
# Each is a PR005 note at the setting's value, saying so; nothing is guessed.
variable "settings" {
  description = "Elastic Beanstalk settings: namespace, name and value of each."
  type = list(object({
    namespace = string
    name      = string
    value     = string
  }))
}

resource "aws_elastic_beanstalk_environment" "this" {
  name                = "app"
  application         = "app"
  solution_stack_name = "64bit Amazon Linux 2023 v4.3.0 running Docker"

  dynamic "setting" {
    for_each = var.settings
    content {
      namespace = setting.value.namespace
      name      = setting.value.name
      value     = setting.value.value
    }
  }
}
